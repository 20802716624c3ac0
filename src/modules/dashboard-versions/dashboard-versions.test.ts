import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric } from '../timeseries/series.fixtures.ts'

/** Versions of a dashboard: one per save, the list, a version's diff, and restore, on real PostgreSQL. */

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app, { name: 'Ada Owner' }))
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
  return response.statusCode === 204 ? null : response.json()
}

const pos = (x: number, y: number, w: number, h: number) => ({ x, y, w, h })
const note = (title: string, position = pos(0, 0, 4, 2)) => ({ type: 'text', title, position, config: { markdown: `# ${title}` } })

async function versionsOf(id: string): Promise<Array<{ version: number; summary: string; widgetCount: number; author: { id: string; name: string } | null }>> {
  return (await ok('GET', `/${id}/versions`)).versions
}
const summaries = async (id: string) => (await versionsOf(id)).map((v) => v.summary)

describe('a version per save', () => {
  it('records creation, settings, widget and layout changes and duplicates, each with a readable summary', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'versions.revenue')
    const board = await ok('POST', '', { name: 'Sales' }, org.owner, 201)
    expect(await summaries(board.id)).toEqual(['Created'])

    await ok('PATCH', `/${board.id}`, { name: 'Sales 2026' })
    await ok('PATCH', `/${board.id}`, { description: 'Quarterly', refreshInterval: 60 })
    // Reading, counting a view, starring: not saves.
    await ok('GET', `/${board.id}`)
    await ok('PUT', `/${board.id}/star`, undefined, org.owner, 204)
    await ok('GET', `/${board.id}/widgets`)

    const revenue = await ok('POST', `/${board.id}/widgets`, { type: 'line_chart', title: 'Revenue', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId } }, org.owner, 201)
    const notes = await ok('POST', `/${board.id}/widgets`, note('Notes', pos(6, 0, 6, 2)), org.owner, 201)
    const extra = await ok('POST', `/${board.id}/widgets`, note('Scratch', pos(0, 4, 4, 2)), org.owner, 201)
    await ok('PATCH', `/${board.id}/widgets/${revenue.id}`, { title: 'Revenue (EUR)', dataQuery: { source: 'metric', metricId, bucket: '1d' } })
    await ok('PUT', `/${board.id}/layout`, { items: [{ widgetId: revenue.id, x: 6, y: 0, w: 6, h: 4 }, { widgetId: notes.id, x: 0, y: 0, w: 6, h: 2 }] })
    await ok('DELETE', `/${board.id}/widgets/${extra.id}`, undefined, org.owner, 204)

    // Soft delete and restore bring nothing new: the content did not change.
    await ok('DELETE', `/${board.id}`, undefined, org.owner, 204)
    await ok('POST', `/${board.id}/restore`)

    const list = await versionsOf(board.id)
    expect(list.map((v) => v.summary)).toEqual([
      'Removed widget “Scratch”',
      'Moved 2 widgets',
      'Changed widget “Revenue (EUR)” (title, data query)',
      'Added widget “Scratch”',
      'Added widget “Notes”',
      'Added widget “Revenue”',
      'Changed description, refresh interval',
      'Renamed to “Sales 2026”',
      'Created',
    ])
    expect(list.map((v) => v.version)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(list.map((v) => v.widgetCount)).toEqual([2, 3, 3, 3, 2, 1, 0, 0, 0])
    expect(list[0]!.author).toEqual({ id: org.owner.userId, name: 'Ada Owner' })

    const copy = await ok('POST', `/${board.id}/duplicate`, {}, org.owner, 201)
    expect(await versionsOf(copy.id)).toMatchObject([{ version: 1, summary: 'Duplicated from “Sales 2026”', widgetCount: 2 }])
    // A PATCH that sets nothing is no save.
    await ok('PATCH', `/${copy.id}`, {})
    expect(await summaries(copy.id)).toHaveLength(1)
  })

  it('starts the history of a dashboard made before versions existed at its next save', async () => {
    const { rows } = await ctx.admin.query<{ id: string }>(
      "insert into app.dashboards (organization_id, name, slug, created_by) values ($1, 'Legacy', 'legacy', $2) returning id", [org.id, org.owner.userId])
    const id = rows[0]!.id
    expect(await versionsOf(id)).toEqual([])
    await ok('POST', `/${id}/widgets`, note('First'), org.owner, 201)
    await ok('POST', `/${id}/widgets`, note('Second'), org.owner, 201)
    expect(await summaries(id)).toEqual(['Added widget “Second”', 'First recorded version'])
  })

  it('pages the list newest first with a total', async () => {
    const board = await ok('POST', '', { name: 'Paged' }, org.owner, 201)
    for (const title of ['a', 'b', 'c', 'd']) await ok('POST', `/${board.id}/widgets`, note(title), org.owner, 201)
    const page = await ok('GET', `/${board.id}/versions?limit=2&offset=1`)
    expect(page.total).toBe(5)
    expect(page.versions.map((v: { version: number }) => v.version)).toEqual([4, 3])
    expect(page.versions[0]).toEqual({ version: 4, summary: 'Added widget “c”', author: { id: org.owner.userId, name: 'Ada Owner' }, createdAt: expect.any(String), widgetCount: 3 })
    expect((await ok('GET', `/${board.id}/versions?offset=10`))).toEqual({ versions: [], total: 5 })
  })
})

describe('a version and its diff', () => {
  it('shows the snapshot and what changed since the version before, or since ?against', async () => {
    const board = await ok('POST', '', { name: 'Diffs' }, org.owner, 201)
    const a = await ok('POST', `/${board.id}/widgets`, note('A', pos(0, 0, 6, 2)), org.owner, 201)
    const b = await ok('POST', `/${board.id}/widgets`, note('B', pos(6, 0, 6, 2)), org.owner, 201)
    await ok('PUT', `/${board.id}/layout`, { items: [{ widgetId: a.id, x: 0, y: 2, w: 12, h: 3 }] })
    await ok('PATCH', `/${board.id}/widgets/${b.id}`, { title: 'B2', config: { markdown: 'changed' } })

    const moved = await ok('GET', `/${board.id}/versions/4`)
    expect(moved).toMatchObject({ version: 4, summary: 'Moved widget “A”', comparedWith: 3, author: { id: org.owner.userId } })
    expect(moved.diff).toEqual({ settings: [], widgetsAdded: [], widgetsRemoved: [], widgetsChanged: [], layoutMoves: [{ id: a.id, title: 'A', from: pos(0, 0, 6, 2), to: pos(0, 2, 12, 3) }] })
    expect(moved.snapshot.settings).toMatchObject({ name: 'Diffs', refreshInterval: 300 })
    expect(moved.snapshot.widgets.map((w: { id: string; position: unknown }) => [w.id, w.position])).toEqual([[a.id, pos(0, 2, 12, 3)], [b.id, pos(6, 0, 6, 2)]])

    const latest = await ok('GET', `/${board.id}/versions/5`)
    expect(latest.diff.widgetsChanged).toEqual([{ id: b.id, title: 'B2', fields: ['title', 'config'] }])

    // Against version 1 (empty): both widgets added, A moved is no move.
    const sinceStart = await ok('GET', `/${board.id}/versions/5?against=1`)
    expect(sinceStart.comparedWith).toBe(1)
    expect(sinceStart.diff.widgetsAdded).toEqual([{ id: a.id, title: 'A', type: 'text' }, { id: b.id, title: 'B2', type: 'text' }])
    expect(sinceStart.diff.layoutMoves).toEqual([])
    const first = await ok('GET', `/${board.id}/versions/1`)
    expect(first.comparedWith).toBeNull()
    expect(first.diff.settings.map((s: { field: string }) => s.field)).toContain('name')

    for (const path of ['/versions/6', '/versions/99', '/versions/5?against=6']) {
      const missing = await call('GET', `/${board.id}${path}`)
      expect(missing.statusCode, path).toBe(404)
      expect(missing.json().error.code).toBe('not_found')
    }
    expect((await call('GET', `/${board.id}/versions/0`)).statusCode).toBe(400)
    expect((await call('POST', `/${board.id}/versions/42/restore`)).statusCode).toBe(404)
  })
})

describe('restore', () => {
  it('brings back a removed widget, old positions and settings as a new version', async () => {
    const board = await ok('POST', '', { name: 'Restorable' }, org.owner, 201)
    const keep = await ok('POST', `/${board.id}/widgets`, note('Keep', pos(0, 0, 6, 2)), org.owner, 201)
    const gone = await ok('POST', `/${board.id}/widgets`, { ...note('Gone', pos(6, 0, 6, 3)), description: 'was here' }, org.owner, 201)
    await ok('PATCH', `/${board.id}`, { filters: { region: 'eu' } }) // version 4: the state to come back to
    await ok('PUT', `/${board.id}/layout`, { items: [{ widgetId: keep.id, x: 3, y: 5, w: 9, h: 4 }] })
    await ok('DELETE', `/${board.id}/widgets/${gone.id}`, undefined, org.owner, 204)
    await ok('PATCH', `/${board.id}`, { name: 'Renamed', filters: {} })
    expect((await versionsOf(board.id))[0]!.version).toBe(7)

    const restored = await ok('POST', `/${board.id}/versions/4/restore`)
    expect(restored.version).toBe(8)
    expect(restored.dashboard).toMatchObject({ id: board.id, name: 'Restorable', filters: { region: 'eu' } })
    const byTitle = Object.fromEntries(restored.widgets.map((w: { title: string }) => [w.title, w]))
    expect(Object.keys(byTitle).sort()).toEqual(['Gone', 'Keep'])
    // The surviving widget keeps its id; the removed one is created anew, as it was.
    expect(byTitle.Keep).toMatchObject({ id: keep.id, position: pos(0, 0, 6, 2) })
    expect(byTitle.Gone).toMatchObject({ type: 'text', position: pos(6, 0, 6, 3), description: 'was here', config: { markdown: '# Gone' }, dataQuery: null })
    expect(byTitle.Gone.id).not.toBe(gone.id)

    const list = await versionsOf(board.id)
    expect(list[0]).toMatchObject({ version: 8, summary: 'Restored version 4', widgetCount: 2 })
    // Version 8 has the content of version 4 (widget ids aside).
    const [v4, v8] = [await ok('GET', `/${board.id}/versions/4`), await ok('GET', `/${board.id}/versions/8`)]
    expect(v8.snapshot.settings).toEqual(v4.snapshot.settings)
    const strip = (widgets: Array<Record<string, unknown>>) => widgets.map(({ id: _id, ...rest }) => rest)
    expect(strip(v8.snapshot.widgets)).toEqual(strip(v4.snapshot.widgets))
  })

  it('lets viewers read versions but not restore; a hidden dashboard is 404', async () => {
    const viewer = await addMember(ctx.app, org, 'viewer')
    const outsider = await addMember(ctx.app, org, 'member')
    const board = await ok('POST', '', { name: 'Guarded' }, org.owner, 201)
    await ok('POST', `/${board.id}/widgets`, note('x'), org.owner, 201)
    expect((await call('GET', `/${board.id}/versions`, viewer)).statusCode).toBe(200)
    expect((await call('GET', `/${board.id}/versions/1`, viewer)).statusCode).toBe(200)
    const denied = await call('POST', `/${board.id}/versions/1/restore`, viewer)
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.code).toBe('forbidden')

    await ok('PUT', `/${board.id}/permissions`, { permissions: [{ userId: viewer.userId, permission: 'view' }] })
    for (const [method, path] of [['GET', '/versions'], ['GET', '/versions/1'], ['POST', '/versions/1/restore']] as const) {
      const response = await call(method, `/${board.id}${path}`, outsider)
      expect(response.statusCode, path).toBe(404)
    }
    expect(await summaries(board.id)).toEqual(['Added widget “x”', 'Created'])
  })

  it('refuses a version whose widget names a metric deleted since, with the reason', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'versions.doomed')
    const board = await ok('POST', '', { name: 'Doomed' }, org.owner, 201)
    const chart = await ok('POST', `/${board.id}/widgets`, { type: 'bar_chart', title: 'Doomed', position: pos(0, 0, 6, 4), dataQuery: { source: 'metric', metricId } }, org.owner, 201)
    await ok('DELETE', `/${board.id}/widgets/${chart.id}`, undefined, org.owner, 204)
    const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/metrics/${metricId}`, headers: org.owner.headers })
    expect(removed.statusCode, removed.body).toBe(204)
    const refused = await call('POST', `/${board.id}/versions/2/restore`)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error).toMatchObject({ code: 'version_not_restorable', details: [{ field: 'widgets/0/dataQuery/metricId', message: expect.any(String) }] })
    expect((await versionsOf(board.id)).length).toBe(3)
  })
})
