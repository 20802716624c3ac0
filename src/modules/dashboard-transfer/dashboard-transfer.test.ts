import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { createDataSource } from '../../../test/data-sources.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric } from '../timeseries/series.fixtures.ts'

/** Export a dashboard as a portable document and import it into another organization, by source names. */

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx?.close()
})

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
const call = (org: OrgFixture, method: Method, path: string, payload?: unknown, who: Session = org.owner) =>
  ctx.app.inject({ method, url: `/api/v1/orgs/${org.id}/dashboards${path}`, headers: who.headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) })

async function ok(org: OrgFixture, method: Method, path: string, payload?: unknown, status = 200, who: Session = org.owner) {
  const response = await call(org, method, path, payload, who)
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBe(status)
  return response.json()
}

const pos = (x: number, y: number, w: number, h: number) => ({ x, y, w, h })

interface Sources {
  metricId: string
  pipelineId: string
  queryId: string
}

/** The same-named sources an organization needs for the dashboard below. */
async function sources(org: OrgFixture): Promise<Sources> {
  const metricId = await createMetric(ctx.admin, org.id, 'transfer.orders')
  const pipeline = await createPipeline(ctx.app, org, { name: 'Checkout events' })
  const source = await createDataSource(ctx.app, org, {
    name: 'Warehouse',
    type: 'postgresql',
    config: { host: '127.0.0.1', port: 5432, database: 'transfer_never_connected', user: 'x', password: 'x', sslMode: 'disable' },
  })
  const query = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.id}/queries`,
    headers: org.owner.headers,
    payload: { name: 'Top customers', dataSourceId: source.id, queryText: 'select customer, total from orders where region = {{region}}', parameters: [{ name: 'region', type: 'text', required: false }] },
  })
  expect(query.statusCode, query.body).toBe(201)
  return { metricId, pipelineId: pipeline.id, queryId: query.json().id }
}

/** A dashboard using every kind of source and every static widget, with its settings set. */
async function richDashboard(org: OrgFixture, s: Sources): Promise<string> {
  const board = await ok(org, 'POST', '', { name: 'Shop overview', description: 'Orders and customers', tags: ['shop', 'kpi'] }, 201)
  await ok(org, 'PUT', `/${board.id}/document`, {
    theme: { primary: '#0a7cff', secondary: '#ff6600' },
    filters: { region: 'eu' },
    refreshInterval: 120,
    widgets: [
      { type: 'line_chart', title: 'Orders by channel', description: 'hourly', position: pos(0, 2, 8, 4), config: { legend: 'bottom' }, dataQuery: { source: 'metric', metricId: s.metricId, aggregation: 'sum', bucket: '1h', groupBy: 'channel', filters: { store: 'berlin' } }, cacheDuration: 120 },
      { type: 'stat_card', title: 'Orders today', position: pos(8, 2, 4, 2), config: { unit: 'orders', target: 100 }, dataQuery: { source: 'metric', metricId: s.metricId, bucket: '1d' } },
      { type: 'bar_chart', title: 'Checkout value', position: pos(0, 6, 6, 4), dataQuery: { source: 'pipeline', pipelineId: s.pipelineId, field: 'amount', aggregation: 'avg', bucket: '1d' } },
      { type: 'table', title: 'Top customers', position: pos(6, 6, 6, 4), dataQuery: { source: 'query', queryId: s.queryId, params: { region: 'eu' } } },
      { type: 'text', title: 'About', position: pos(0, 0, 12, 2), config: { markdown: '# Shop\nEvery order, live.' } },
      { type: 'image', title: 'Logo', position: pos(8, 4, 2, 2), config: { url: 'https://example.com/logo.png' } },
    ],
  })
  return board.id
}

const withoutTime = ({ exportedAt: _at, ...rest }: Record<string, unknown>) => rest

describe('export and import', () => {
  it('round-trips a dashboard into another organization with same-named sources: everything but ids and the time', async () => {
    const a = await createOrg(ctx.app, await registerUser(ctx.app))
    const b = await createOrg(ctx.app, await registerUser(ctx.app))
    const [sa, sb] = [await sources(a), await sources(b)]
    const id = await richDashboard(a, sa)

    const exported = await call(a, 'GET', `/${id}/export`)
    expect(exported.statusCode, exported.body).toBe(200)
    expect(exported.headers['content-disposition']).toBe('attachment; filename="Shop-overview.dashboard.json"')
    const document = exported.json()
    expect(document).toMatchObject({ format: 'tessera.dashboard', formatVersion: 1, exportedAt: expect.any(String) })
    expect(document.dashboard).toEqual({ name: 'Shop overview', description: 'Orders and customers', tags: ['shop', 'kpi'], theme: { primary: '#0a7cff', secondary: '#ff6600' }, filters: { region: 'eu' }, refreshInterval: 120 })
    // Grid order, sources by name, and no id of organization A anywhere.
    expect(document.widgets.map((w: { title: string }) => w.title)).toEqual(['About', 'Orders by channel', 'Orders today', 'Logo', 'Checkout value', 'Top customers'])
    expect(document.widgets[1].dataQuery).toEqual({ source: 'metric', metric: 'transfer.orders', aggregation: 'sum', bucket: '1h', groupBy: 'channel', filters: { store: 'berlin' } })
    expect(document.widgets[4].dataQuery).toEqual({ source: 'pipeline', pipeline: 'Checkout events', field: 'amount', aggregation: 'avg', bucket: '1d' })
    expect(document.widgets[5].dataQuery).toEqual({ source: 'query', query: 'Top customers', params: { region: 'eu' } })
    for (const foreign of [a.id, id, sa.metricId, sa.pipelineId, sa.queryId]) expect(exported.body).not.toContain(foreign)
    const { rows } = await ctx.admin.query("select user_id from telemetry.dashboard_usage_logs where dashboard_id = $1 and action = 'export'", [id])
    expect(rows).toEqual([{ user_id: a.owner.userId }])

    const imported = await ok(b, 'POST', '/import', document, 201)
    expect(imported).toMatchObject({ name: 'Shop overview', slug: 'shop-overview', description: 'Orders and customers', tags: ['shop', 'kpi'], theme: { primary: '#0a7cff', secondary: '#ff6600' }, filters: { region: 'eu' }, refreshInterval: 120, permission: 'admin', createdBy: b.owner.userId })
    const again = await ok(b, 'GET', `/${imported.id}/export`)
    expect(withoutTime(again)).toEqual(withoutTime(document))

    // The widgets point at B's own sources.
    const widgets = (await ok(b, 'GET', `/${imported.id}/widgets`)).widgets as Array<{ title: string; dataQuery: Record<string, unknown> | null; cacheDuration: number }>
    const byTitle = Object.fromEntries(widgets.map((w) => [w.title, w]))
    expect(byTitle['Orders by channel']).toMatchObject({ dataQuery: { metricId: sb.metricId }, cacheDuration: 120 })
    expect(byTitle['Checkout value']!.dataQuery).toMatchObject({ pipelineId: sb.pipelineId })
    expect(byTitle['Top customers']!.dataQuery).toEqual({ source: 'query', queryId: sb.queryId, params: { region: 'eu' } })
    const versions = (await ok(b, 'GET', `/${imported.id}/versions`)).versions
    expect(versions).toMatchObject([{ version: 1, summary: expect.stringMatching(/^Imported/), widgetCount: 6 }])

    // A second import gets its own slug, or the name given with it.
    expect((await ok(b, 'POST', '/import', document, 201)).slug).toBe('shop-overview-2')
    expect(await ok(b, 'POST', '/import', { ...document, name: 'Shop (staging)' }, 201)).toMatchObject({ name: 'Shop (staging)', slug: 'shop-staging' })
  })

  it('refuses unresolved sources with 422 and their names, or imports those widgets without data with allowMissing', async () => {
    const a = await createOrg(ctx.app, await registerUser(ctx.app))
    const empty = await createOrg(ctx.app, await registerUser(ctx.app))
    const document = (await ok(a, 'GET', `/${await richDashboard(a, await sources(a))}/export`))

    const refused = await call(empty, 'POST', '/import', document)
    expect(refused.statusCode).toBe(422)
    const error = refused.json().error
    expect(error.code).toBe('unresolved_references')
    expect(error.message).toContain("metric 'transfer.orders'")
    expect(error.details).toEqual([
      { widget: 1, title: 'Orders by channel', kind: 'metric', name: 'transfer.orders' },
      { widget: 2, title: 'Orders today', kind: 'metric', name: 'transfer.orders' },
      { widget: 4, title: 'Checkout value', kind: 'pipeline', name: 'Checkout events' },
      { widget: 5, title: 'Top customers', kind: 'query', name: 'Top customers' },
    ])
    expect((await ok(empty, 'GET', '')).total).toBe(0)

    // One source present, the rest missing but allowed.
    const metricId = await createMetric(ctx.admin, empty.id, 'transfer.orders')
    const imported = await ok(empty, 'POST', '/import?allowMissing=true', document, 201)
    const widgets = (await ok(empty, 'GET', `/${imported.id}/widgets`)).widgets as Array<{ title: string; config: Record<string, unknown>; dataQuery: Record<string, unknown> | null }>
    const byTitle = Object.fromEntries(widgets.map((w) => [w.title, w]))
    expect(byTitle['Orders today']).toMatchObject({ dataQuery: { source: 'metric', metricId }, config: { unit: 'orders' } })
    expect(byTitle['Orders today']!.config).not.toHaveProperty('missingSource')
    expect(byTitle['Checkout value']).toMatchObject({ dataQuery: null, config: { missingSource: "pipeline 'Checkout events'" } })
    expect(byTitle['Top customers']).toMatchObject({ dataQuery: null, config: { missingSource: "query 'Top customers'" } })
    expect(byTitle.About!.config).toEqual({ markdown: '# Shop\nEvery order, live.' })
    // Exported again, the waiting widgets keep saying what they wait for.
    const reexported = await ok(empty, 'GET', `/${imported.id}/export`)
    expect(reexported.widgets.find((w: { title: string }) => w.title === 'Checkout value')).toMatchObject({ dataQuery: null, config: { missingSource: "pipeline 'Checkout events'" } })
  })

  it('refuses documents of another format or version, and invalid ones, with a clear 400', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const good = { format: 'tessera.dashboard', formatVersion: 1, dashboard: { name: 'Minimal' }, widgets: [] }
    const cases: Array<[Record<string, unknown>, string, RegExp | null]> = [
      [{ ...good, format: 'grafana' }, 'invalid_dashboard_document', /not a Tessera dashboard export/],
      [{ ...good, formatVersion: 2 }, 'invalid_dashboard_document', /formatVersion 2 is not supported/],
      [{ dashboard: { title: 'Grafana board' }, panels: [] }, 'validation_failed', /format/],
      [{ ...good, widgets: [{ type: 'text', title: 'Wide', position: pos(8, 0, 6, 2), config: { markdown: 'x' } }] }, 'validation_failed', /widgets\/0\/position/],
      [{ ...good, widgets: [{ type: 'gauge', title: 'x', position: pos(0, 0, 2, 2) }] }, 'validation_failed', /widgets\/0\/type/],
      [{ ...good, widgets: [{ type: 'line_chart', title: 'x', position: pos(0, 0, 2, 2), dataQuery: { source: 'sql', text: 'select 1' } }] }, 'validation_failed', /widgets\/0\/dataQuery\/source/],
      [{ ...good, widgets: [{ type: 'line_chart', title: 'x', position: pos(0, 0, 2, 2), dataQuery: { source: 'metric', metricId: 'abc' } }] }, 'validation_failed', /dataQuery\/metric must name/],
      [{ ...good, widgets: Array.from({ length: 201 }, () => ({ type: 'text', title: 't', position: pos(0, 0, 1, 1), config: { markdown: 'x' } })) }, 'validation_failed', /widgets/],
      [{ ...good, extra: true }, 'validation_failed', null],
    ]
    for (const [body, code, message] of cases) {
      const response = await call(org, 'POST', '/import', body)
      expect(response.statusCode, JSON.stringify(body).slice(0, 120)).toBe(400)
      expect(response.json().error.code).toBe(code)
      if (message) expect(response.json().error.message).toMatch(message)
    }
    const metricId = await createMetric(ctx.admin, org.id, 'transfer.bucket')
    expect(metricId).toBeTruthy()
    const badBucket = await call(org, 'POST', '/import', { ...good, widgets: [{ type: 'line_chart', title: 'x', position: pos(0, 0, 2, 2), dataQuery: { source: 'metric', metric: 'transfer.bucket', bucket: '2h' } }] })
    expect(badBucket.statusCode).toBe(400)
    expect(badBucket.json().error.details).toEqual([{ field: 'widgets/0/dataQuery', message: expect.stringContaining('not a valid metric query') }])
    expect((await ok(org, 'GET', '')).total).toBe(0)
    expect((await ok(org, 'POST', '/import', good, 201)).slug).toBe('minimal')
  })

  it('lets viewers export but not import; a hidden dashboard is 404', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const viewer = await addMember(ctx.app, org, 'viewer')
    const outsider = await addMember(ctx.app, org, 'member')
    const board = await ok(org, 'POST', '', { name: 'Shared' }, 201)
    const document = await ok(org, 'GET', `/${board.id}/export`, undefined, 200, viewer)
    const denied = await call(org, 'POST', '/import', document, viewer)
    expect(denied.statusCode).toBe(403)
    await ok(org, 'PUT', `/${board.id}/permissions`, { permissions: [{ userId: viewer.userId, permission: 'view' }] })
    expect((await call(org, 'GET', `/${board.id}/export`, undefined, outsider)).statusCode).toBe(404)
  })
})
