import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric } from '../timeseries/series.fixtures.ts'

/** PUT …/dashboards/{id}/document: the whole dashboard saved at once, as one version. */

let ctx: TestContext
let org: OrgFixture
let metricId: string

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  metricId = await createMetric(ctx.admin, org.id, 'document.orders')
})
afterAll(async () => {
  await ctx?.close()
})

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
const call = (method: Method, path: string, who: Session = org.owner, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}/dashboards${path}`, headers: who.headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })

async function ok(method: Method, path: string, payload?: unknown, who: Session = org.owner, status = 200) {
  const response = await call(method, path, who, payload)
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBe(status)
  return response.json()
}

const pos = (x: number, y: number, w: number, h: number) => ({ x, y, w, h })
const note = (title: string, position = pos(0, 0, 4, 2)) => ({ type: 'text', title, position, config: { markdown: `# ${title}` } })
const chart = (title: string, position = pos(0, 0, 6, 4)) => ({ type: 'line_chart', title, position, dataQuery: { source: 'metric', metricId, bucket: '1h' } })

async function state(id: string) {
  const widgets = (await ok('GET', `/${id}/widgets`)).widgets as Array<{ id: string; title: string; position: unknown }>
  const versions = (await ok('GET', `/${id}/versions`)).versions as Array<{ version: number; summary: string }>
  return { widgets, versions }
}

describe('PUT /dashboards/:id/document', () => {
  it('creates, updates and deletes widgets and changes settings in one save, as one version', async () => {
    const board = await ok('POST', '', { name: 'Document' }, org.owner, 201)
    const keep = await ok('POST', `/${board.id}/widgets`, chart('Orders'), org.owner, 201)
    const drop = await ok('POST', `/${board.id}/widgets`, note('Old notes', pos(6, 0, 6, 2)), org.owner, 201)

    const saved = await ok('PUT', `/${board.id}/document`, {
      name: 'Document v2',
      tags: ['ops', 'ops', ' q1 '],
      theme: { primary: '#112233' },
      filters: { region: 'eu' },
      refreshInterval: 30,
      baseVersion: 3,
      widgets: [
        { id: keep.id.toUpperCase(), ...chart('Orders per day', pos(0, 2, 12, 4)), dataQuery: { source: 'metric', metricId, bucket: '1d' }, cacheDuration: 60 },
        note('Intro', pos(0, 0, 12, 2)),
        { type: 'image', title: 'Logo', position: pos(0, 6, 2, 2), config: { url: 'https://example.com/logo.png' } },
      ],
    })
    expect(saved.version).toBe(4)
    expect(saved.dashboard).toMatchObject({ id: board.id, name: 'Document v2', slug: 'document', tags: ['ops', 'q1'], theme: { primary: '#112233' }, filters: { region: 'eu' }, refreshInterval: 30 })
    expect(saved.widgets.map((w: { title: string }) => w.title)).toEqual(['Orders per day', 'Intro', 'Logo'])
    expect(saved.widgets[0]).toMatchObject({ id: keep.id, position: pos(0, 2, 12, 4), dataQuery: { bucket: '1d' }, cacheDuration: 60 })

    const after = await state(board.id)
    expect(after.widgets.map((w) => w.id)).not.toContain(drop.id)
    expect(after.widgets).toHaveLength(3)
    expect(after.versions).toHaveLength(4)
    expect(after.versions[0]).toMatchObject({ version: 4 })
    expect(after.versions[0]!.summary).toBe(
      'Renamed to “Document v2”; Changed tags, theme, filters, refresh interval; Added widget “Intro”; Added widget “Logo”; Removed widget “Old notes”; Changed widget “Orders per day” (title, data query, cache duration); Moved widget “Orders per day”',
    )
    const { rows } = await ctx.admin.query("select count(*)::int as n from telemetry.dashboard_usage_logs where dashboard_id = $1 and action = 'edit'", [board.id])
    expect(rows[0].n).toBe(3)

    // A summary from the client is kept; an empty widget list empties the dashboard.
    const emptied = await ok('PUT', `/${board.id}/document`, { widgets: [], summary: 'Start over' })
    expect(emptied).toMatchObject({ version: 5, widgets: [] })
    expect((await state(board.id)).versions[0]).toMatchObject({ version: 5, summary: 'Start over' })
  })

  it('refuses the whole save when one widget is invalid, with field details, and changes nothing', async () => {
    const board = await ok('POST', '', { name: 'Strict' }, org.owner, 201)
    const mine = await ok('POST', `/${board.id}/widgets`, note('Mine'), org.owner, 201)
    const other = await ok('POST', '', { name: 'Elsewhere' }, org.owner, 201)
    const foreign = await ok('POST', `/${other.id}/widgets`, note('Foreign'), org.owner, 201)
    const before = await state(board.id)

    const cases: Array<[unknown[], Array<{ field: string; message: unknown }>]> = [
      [[{ id: mine.id, ...note('Mine') }, { ...note('Wide'), position: pos(8, 0, 6, 2) }], [{ field: 'widgets/1/position', message: expect.any(String) }]],
      [[{ id: foreign.id, ...note('Hijack') }], [{ field: 'widgets/0/id', message: expect.stringContaining('not a widget of this dashboard') }]],
      [[{ id: mine.id, ...note('A') }, { id: mine.id, ...note('B') }], [{ field: 'widgets/1/id', message: 'is listed twice' }]],
      [[note('ok'), { ...chart('No source'), dataQuery: null }], [{ field: 'widgets/1/dataQuery', message: expect.any(String) }]],
      [[{ ...chart('Ghost'), dataQuery: { source: 'metric', metricId: '00000000-0000-4000-8000-000000000000' } }], [{ field: 'widgets/0/dataQuery/metricId', message: expect.any(String) }]],
      [[{ ...note('Blank'), title: '  ' }, { ...note('No markdown'), config: {} }], [{ field: 'widgets/0/title', message: 'must not be blank' }, { field: 'widgets/1/config/markdown', message: expect.any(String) }]],
    ]
    for (const [widgets, details] of cases) {
      const response = await call('PUT', `/${board.id}/document`, org.owner, { name: 'Should not stick', widgets })
      expect(response.statusCode, JSON.stringify(widgets)).toBe(400)
      expect(response.json().error.code).toBe('validation_failed')
      expect(response.json().error.details).toEqual(details)
    }
    // Schema-level refusals (unknown type, bad query shape) are 400 too.
    for (const widgets of [[{ ...note('x'), type: 'gauge' }], [{ ...chart('x'), dataQuery: { source: 'sql', text: 'select 1' } }]]) {
      expect((await call('PUT', `/${board.id}/document`, org.owner, { widgets })).statusCode).toBe(400)
    }
    expect((await call('PUT', `/${board.id}/document`, org.owner, { name: 'x' })).statusCode).toBe(400)
    expect(await state(board.id)).toEqual(before)
    expect((await ok('GET', `/${board.id}`)).name).toBe('Strict')
    expect((await ok('GET', `/${other.id}/widgets`)).widgets.map((w: { title: string }) => w.title)).toEqual(['Foreign'])
  })

  it('answers 409 version_conflict naming the latest version when another save came first', async () => {
    const board = await ok('POST', '', { name: 'Contested' }, org.owner, 201)
    const first = await ok('PUT', `/${board.id}/document`, { baseVersion: 1, widgets: [note('Alice')] })
    expect(first.version).toBe(2)
    const late = await call('PUT', `/${board.id}/document`, org.owner, { baseVersion: 1, widgets: [note('Bob')] })
    expect(late.statusCode).toBe(409)
    expect(late.json().error).toMatchObject({ code: 'version_conflict', details: { latestVersion: 2, baseVersion: 1 } })
    expect(late.json().error.message).toContain('latest version is 2')
    expect((await state(board.id)).widgets.map((w) => w.title)).toEqual(['Alice'])
    // Without baseVersion the save goes through (last write wins, by choice of the client).
    expect((await ok('PUT', `/${board.id}/document`, { widgets: [note('Bob')] })).version).toBe(3)
  })

  it('serializes simultaneous saves from the same version: one wins, the other gets version_conflict', async () => {
    const board = await ok('POST', '', { name: 'Race' }, org.owner, 201)
    const [first, second] = await Promise.all([
      call('PUT', `/${board.id}/document`, org.owner, { baseVersion: 1, widgets: [note('Left')] }),
      call('PUT', `/${board.id}/document`, org.owner, { baseVersion: 1, widgets: [note('Right')] }),
    ])
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409])
    const loser = first.statusCode === 409 ? first : second
    expect(loser.json().error).toMatchObject({ code: 'version_conflict', details: { latestVersion: 2 } })
    expect((await state(board.id)).versions.map((v) => v.version)).toEqual([2, 1])
  })

  it('needs edit permission: viewers get 403, members without access to a restricted dashboard 404', async () => {
    const viewer = await addMember(ctx.app, org, 'viewer')
    const outsider = await addMember(ctx.app, org, 'member')
    const editor = await addMember(ctx.app, org, 'member')
    const board = await ok('POST', '', { name: 'Guarded document' }, org.owner, 201)
    const body = { widgets: [note('Planted')] }
    const denied = await call('PUT', `/${board.id}/document`, viewer, body)
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('forbidden')

    await ok('PUT', `/${board.id}/permissions`, { permissions: [{ userId: editor.userId, permission: 'edit' }, { userId: viewer.userId, permission: 'view' }] })
    const hidden = await call('PUT', `/${board.id}/document`, outsider, body)
    expect(hidden.statusCode).toBe(404)
    expect(hidden.json().error.code).toBe('not_found')
    expect((await state(board.id)).widgets).toEqual([])
    expect((await ok('PUT', `/${board.id}/document`, body, editor)).version).toBe(2)
  })

  it('keeps a widget waiting for its source (config.missingSource) saveable, and ends the wait when a source is picked', async () => {
    const board = await ok('POST', '', { name: 'Waiting' }, org.owner, 201)
    const waiting = { type: 'bar_chart', title: 'Sales', position: pos(0, 0, 6, 4), config: { missingSource: "metric 'sales'", stacked: true }, dataQuery: null }
    const saved = await ok('PUT', `/${board.id}/document`, { widgets: [waiting] })
    expect(saved.widgets[0]).toMatchObject({ config: { missingSource: "metric 'sales'" }, dataQuery: null })
    const picked = await ok('PUT', `/${board.id}/document`, { widgets: [{ ...waiting, id: saved.widgets[0].id, dataQuery: { source: 'metric', metricId } }] })
    expect(picked.widgets[0].config).toEqual({ stacked: true })
  })
})
