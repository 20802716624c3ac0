import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { createDataSource } from '../../../test/data-sources.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from '../timeseries/series.fixtures.ts'

/**
 * Saved-query widgets through the dashboard data endpoint and the preview, against a scratch
 * PostgreSQL database on the test server (the external source, as in saved-queries.test.ts);
 * and top N + "other" of grouped metric widgets.
 */

const HOUR = 3_600_000
let ctx: TestContext
let org: OrgFixture
let other: OrgFixture
let viewer: Session
let scratch: pg.Client
let sourceId: string
const suffix = randomBytes(4).toString('hex')
const PG_ROLE = `qw_user_${suffix}`
const PG_PASSWORD = `pw-${randomBytes(8).toString('hex')}`
let pgDatabase: string

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
  viewer = await addMember(ctx.app, org, 'viewer')

  pgDatabase = `${ctx.testDb.name}_qw`
  const adminUrl = new URL(ctx.testDb.adminUrl)
  await ctx.admin.query(`create database ${pgDatabase}`)
  await ctx.admin.query(`create role ${PG_ROLE} login password '${PG_PASSWORD}'`)
  adminUrl.pathname = `/${pgDatabase}`
  scratch = new pg.Client({ connectionString: adminUrl.toString() })
  await scratch.connect()
  await scratch.query('create table sales (id integer primary key, region text not null, store text, amount integer not null)')
  await scratch.query("insert into sales values (1, 'eu', 'berlin', 10), (2, 'eu', 'paris', 20), (3, 'us', 'nyc', 30), (4, 'us', 'sf', 40), (5, 'apac', null, 50)")
  await scratch.query(`grant select on all tables in schema public to ${PG_ROLE}`)
  sourceId = (
    await createDataSource(ctx.app, org, {
      name: 'Sales DB',
      type: 'postgresql',
      config: { host: '127.0.0.1', port: Number(adminUrl.port || 5432), database: pgDatabase, user: PG_ROLE, password: PG_PASSWORD, sslMode: 'prefer' },
    })
  ).id
})

afterAll(async () => {
  await scratch?.end()
  await ctx?.admin.query(`drop database if exists ${pgDatabase} with (force)`).catch(() => undefined)
  await ctx?.admin.query(`drop role if exists ${PG_ROLE}`).catch(() => undefined)
  await ctx?.close()
})

async function saveQuery(body: Record<string, unknown>, as: OrgFixture = org): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${as.id}/queries`, headers: as.owner.headers, payload: { name: `q ${randomBytes(3).toString('hex')}`, dataSourceId: sourceId, ...body } })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id
}

/** A query with an optional region parameter: every sale, or one region's. */
const BY_REGION = {
  queryText: 'select id, region, store, amount from sales where ({{region}}::text is null or region = {{region}}) order by id',
  parameters: [{ name: 'region', type: 'text' }],
}

const dashboards = (rest = '') => `/api/v1/orgs/${org.id}/dashboards${rest}`
const pos = { x: 0, y: 0, w: 6, h: 4 }

async function dashboardWith(dataQueries: Array<Record<string, unknown>>): Promise<{ id: string; widgetIds: string[] }> {
  const created = await ctx.app.inject({ method: 'POST', url: dashboards(), headers: org.owner.headers, payload: { name: `Queries ${randomBytes(3).toString('hex')}` } })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json().id as string
  const widgetIds: string[] = []
  for (const dataQuery of dataQueries) {
    const widget = await ctx.app.inject({ method: 'POST', url: dashboards(`/${id}/widgets`), headers: org.owner.headers, payload: { type: 'table', title: 'Rows', position: pos, dataQuery } })
    expect(widget.statusCode, widget.body).toBe(201)
    widgetIds.push(widget.json().id)
  }
  return { id, widgetIds }
}

interface Item {
  id: string
  status: string
  table?: { columns: Array<{ name: string; type: string }>; rows: Array<Record<string, unknown>>; rowCount: number; truncated: boolean; asOf: string; cached: boolean }
  series?: { points: Array<{ t: string; group?: string | null; value: number; count: number }> }
  error?: { code: string; message: string }
}

async function data(dashboardId: string, filters?: Record<string, string>, who: Session = org.owner, extra = ''): Promise<Item[]> {
  const query = filters === undefined ? '' : `?filters=${encodeURIComponent(JSON.stringify(filters))}`
  const response = await ctx.app.inject({ method: 'GET', url: dashboards(`/${dashboardId}/data${query}${extra}`), headers: who.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().widgets
}

const ids = (item: Item | undefined) => item?.table?.rows.map((row) => row.id)

describe('saved-query widgets: validation', () => {
  it('accepts a saved query of the organization with typed params, and explains what is wrong otherwise', async () => {
    const queryId = await saveQuery({
      queryText: 'select * from sales where amount >= {{min}} and region in ({{regions}}) and id <= {{until}}',
      parameters: [{ name: 'min', type: 'number', default: 0 }, { name: 'regions', type: 'list', default: ['eu'] }, { name: 'until', type: 'number', required: true }],
    })
    const { id } = await dashboardWith([])
    const add = (dataQuery: Record<string, unknown>) =>
      ctx.app.inject({ method: 'POST', url: dashboards(`/${id}/widgets`), headers: org.owner.headers, payload: { type: 'table', title: 'Rows', position: pos, dataQuery } })

    const ok = await add({ source: 'query', queryId, params: { min: 15, regions: ['eu', 'us'] } })
    expect(ok.statusCode, ok.body).toBe(201)
    expect(ok.json().dataQuery).toMatchObject({ source: 'query', queryId })

    const wrong = await add({ source: 'query', queryId, params: { min: 'lots', regions: [], colour: 'red' } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().error.code).toBe('validation_failed')
    expect(wrong.json().error.details).toEqual([
      { field: 'dataQuery/params/min', message: 'Parameter min must be a number' },
      { field: 'dataQuery/params/regions', message: 'Parameter regions needs at least one element' },
      { field: 'dataQuery/params/colour', message: 'is not a parameter of the query (it declares min, regions, until)' },
    ])

    const foreign = await saveQueryElsewhere()
    for (const missing of [foreign, '00000000-0000-4000-8000-000000000000']) {
      const response = await add({ source: 'query', queryId: missing })
      expect(response.statusCode).toBe(400)
      expect(response.json().error.details).toEqual([{ field: 'dataQuery/queryId', message: 'is not a saved query of this organization' }])
    }

    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: dashboards(`/${id}/widgets/${ok.json().id}`),
      headers: org.owner.headers,
      payload: { dataQuery: { source: 'query', queryId, params: { until: '2024-01-01' } } },
    })
    expect(patched.statusCode).toBe(400)
    expect(patched.json().error.details).toEqual([{ field: 'dataQuery/params/until', message: 'Parameter until must be a number' }])
  })
})

/** The other organization's query, on its own source (same scratch database). */
async function saveQueryElsewhere(): Promise<string> {
  const adminUrl = new URL(ctx.testDb.adminUrl)
  const source = await createDataSource(ctx.app, other, {
    name: 'Theirs',
    type: 'postgresql',
    config: { host: '127.0.0.1', port: Number(adminUrl.port || 5432), database: pgDatabase, user: PG_ROLE, password: PG_PASSWORD, sslMode: 'prefer' },
  })
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${other.id}/queries`, headers: other.owner.headers, payload: { name: 'theirs', dataSourceId: source.id, queryText: 'select 1 as one' } })
  expect(response.statusCode, response.body).toBe(201)
  return response.json().id
}

describe('saved-query widgets: dashboard data', () => {
  it("answers a query widget's table, from the cache the second time, and logs both runs", async () => {
    const queryId = await saveQuery({ ...BY_REGION, cacheDuration: 60 })
    const { id, widgetIds } = await dashboardWith([{ source: 'query', queryId }])
    const [first] = await data(id)
    expect(first).toMatchObject({ id: widgetIds[0], status: 'ok' })
    expect(first?.table).toMatchObject({
      columns: [{ name: 'id', type: 'integer' }, { name: 'region', type: 'text' }, { name: 'store', type: 'text' }, { name: 'amount', type: 'integer' }],
      rowCount: 5,
      truncated: false,
      cached: false,
    })
    expect(first?.table?.rows[0]).toEqual({ id: 1, region: 'eu', store: 'berlin', amount: 10 })
    // Another view of the same dashboard (a filter matching nothing) runs the same statement: cached.
    const [second] = await data(id, { unrelated: 'x' })
    expect(second?.table).toMatchObject({ rowCount: 5, cached: true, asOf: first?.table?.asOf })
    const logs = await ctx.admin.query('select cache_hit, rows_returned from telemetry.query_performance_logs where query_id = $1 order by executed_at', [queryId])
    expect(logs.rows).toEqual([{ cache_hit: false, rows_returned: 5 }, { cache_hit: true, rows_returned: 5 }])
  })

  it('sets a parameter from a view filter of the same name unless the widget pins it', async () => {
    const queryId = await saveQuery({ ...BY_REGION, cacheDuration: 0 })
    const { id } = await dashboardWith([{ source: 'query', queryId }, { source: 'query', queryId, params: { region: 'us' } }])
    const [free, pinned] = await data(id, { region: 'eu' })
    expect(ids(free)).toEqual([1, 2])
    expect(ids(pinned)).toEqual([3, 4])
    const [all, pinnedOnly] = await data(id, {})
    expect(ids(all)).toEqual([1, 2, 3, 4, 5])
    expect(ids(pinnedOnly)).toEqual([3, 4])
  })

  it('filters rows by a view filter named like a result column (cell text), and ignores other names', async () => {
    const queryId = await saveQuery({ queryText: 'select id, region, store, amount from sales order by id', cacheDuration: 60 })
    const { id } = await dashboardWith([{ source: 'query', queryId }])
    const [byStore] = await data(id, { store: 'paris' })
    expect(ids(byStore)).toEqual([2])
    expect(byStore?.table?.rowCount).toBe(1)
    expect(ids((await data(id, { amount: '30' }))[0])).toEqual([3])
    expect(ids((await data(id, { region: 'us', amount: '40' }))[0])).toEqual([4])
    expect(ids((await data(id, { region: 'mars' }))[0])).toEqual([])
    expect(ids((await data(id, { planet: 'mars' }))[0])).toEqual([1, 2, 3, 4, 5])
  })

  it('applies the saved dashboard filters the same way', async () => {
    const queryId = await saveQuery({ ...BY_REGION, cacheDuration: 0 })
    const { id } = await dashboardWith([{ source: 'query', queryId }])
    const saved = await ctx.app.inject({ method: 'PATCH', url: dashboards(`/${id}`), headers: org.owner.headers, payload: { filters: { region: 'apac' } } })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(ids((await data(id))[0])).toEqual([5])
  })

  it("shows SQL errors, timeouts, bad parameter values and deleted queries as the widget's error state; the others still render", async () => {
    const broken = await saveQuery({ queryText: 'select no_such_column from sales', cacheDuration: 0 })
    const slow = await saveQuery({ queryText: 'select pg_sleep(3) as s', timeoutMs: 200, cacheDuration: 0 })
    const typed = await saveQuery({ queryText: 'select id from sales where amount >= {{min}}', parameters: [{ name: 'min', type: 'number', default: 0 }], cacheDuration: 0 })
    const doomed = await saveQuery({ queryText: 'select 1 as one', cacheDuration: 0 })
    const fine = await saveQuery({ queryText: 'select count(*)::int as n from sales', cacheDuration: 0 })
    const { id } = await dashboardWith([
      { source: 'query', queryId: broken },
      { source: 'query', queryId: slow },
      { source: 'query', queryId: typed },
      { source: 'query', queryId: doomed },
      { source: 'query', queryId: fine },
    ])
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/queries/${doomed}`, headers: org.owner.headers })).statusCode).toBe(204)
    const widgets = await data(id, { min: 'plenty' })
    expect(widgets.map((w) => [w.status, w.error?.code ?? null])).toEqual([
      ['error', 'query_failed'],
      ['error', 'query_timeout'],
      ['error', 'invalid_query_parameter'],
      ['error', 'not_found'],
      ['ok', null],
    ])
    expect(widgets[0]?.error?.message).toContain('no_such_column')
    expect(widgets[2]?.error?.message).toBe('Parameter min must be a number')
    expect(widgets[4]?.table?.rows).toEqual([{ n: 5 }])
    // The failed runs are logged too (no rows).
    const logs = await ctx.admin.query('select rows_returned from telemetry.query_performance_logs where query_id = any($1)', [[broken, slow]])
    expect(logs.rows).toEqual([{ rows_returned: null }, { rows_returned: null }])
  })

  it('keeps the row limit: truncated stays true and rowCount counts the rows shown', async () => {
    const queryId = await saveQuery({ queryText: 'select id, region from sales order by id', rowLimit: 3, cacheDuration: 0 })
    const { id } = await dashboardWith([{ source: 'query', queryId }])
    const [limited] = await data(id)
    expect(limited?.table).toMatchObject({ rowCount: 3, truncated: true })
    const [filtered] = await data(id, { region: 'eu' })
    expect(filtered?.table).toMatchObject({ rowCount: 2, truncated: true })
  })

  it('lets a viewer see query widgets (every member may run saved queries)', async () => {
    const queryId = await saveQuery({ ...BY_REGION, cacheDuration: 0 })
    const { id } = await dashboardWith([{ source: 'query', queryId }])
    const [item] = await data(id, { region: 'us' }, viewer)
    expect(ids(item)).toEqual([3, 4])
  })
})

describe('saved-query widgets: preview', () => {
  it("answers a query source's table and its error state", async () => {
    const queryId = await saveQuery({ ...BY_REGION, cacheDuration: 0 })
    const preview = (dataQuery: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/widgets/preview`, headers: org.owner.headers, payload: { dataQuery } })
    const answer = await preview({ source: 'query', queryId, params: { region: 'eu' } })
    expect(answer.statusCode, answer.body).toBe(200)
    expect(answer.json()).toMatchObject({ status: 'ok', table: { rowCount: 2, truncated: false, cached: false } })
    const wrong = await preview({ source: 'query', queryId, params: { colour: 'red' } })
    expect(wrong.statusCode).toBe(200)
    expect(wrong.json()).toMatchObject({ status: 'error', error: { code: 'invalid_query_parameter' } })
    const malformed = await preview({ source: 'query', queryId: 'nope' })
    expect(malformed.statusCode).toBe(400)
  })
})

describe('top N + "other" of grouped series', () => {
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
  const point = (offsetMinutes: number, value: number, store: string): Point => ({ ts: new Date(hour + offsetMinutes * 60_000), value: value.toFixed(4), dims: { store } })

  it('keeps the largest groups by total and sums the rest into "other" per bucket (dashboard data)', async () => {
    const metricId = await createMetric(ctx.admin, org.id, `sales.${suffix}`, 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [
      point(5, 100, 'north'), point(6, 50, 'south'), point(7, 3, 'east'), point(8, 4, 'west'),
      point(65, 90, 'north'), point(66, 1, 'south'), point(67, 20, 'east'),
    ])
    const { id } = await dashboardWith([
      { source: 'metric', metricId, bucket: '1h', groupBy: 'store', limit: 2 },
      { source: 'metric', metricId, bucket: '1h', groupBy: 'store', aggregation: 'avg', limit: 1 },
      { source: 'metric', metricId, bucket: '1h', groupBy: 'store' },
    ])
    const range = `&from=${encodeURIComponent(new Date(hour).toISOString())}&to=${encodeURIComponent(new Date(hour + 2 * HOUR).toISOString())}`
    const [top2, avg1, all] = await data(id, {}, org.owner, range)
    const rows = (item: Item | undefined) => item?.series?.points.map((p) => [p.t === new Date(hour).toISOString() ? 0 : 1, p.group, p.value, p.count])
    // Totals: north 190, south 51, east 23, west 4.
    expect(rows(top2)).toEqual([
      [0, 'north', 100, 1], [0, 'south', 50, 1], [0, 'other', 7, 2],
      [1, 'north', 90, 1], [1, 'south', 1, 1], [1, 'other', 20, 1],
    ])
    // avg ranks by point count (north, east and south have 2; ties by name: east) and weights the merge.
    expect(rows(avg1)).toEqual([
      [0, 'east', 3, 1], [0, 'other', (100 + 50 + 4) / 3, 3],
      [1, 'east', 20, 1], [1, 'other', (90 + 1) / 2, 2],
    ])
    expect(rows(all)?.map((r) => r[1])).toEqual(['east', 'north', 'south', 'west', 'east', 'north', 'south'])
  })

  it('limits the groups of a pipeline field the same way (preview)', async () => {
    const pipelineId = (await createPipeline(ctx.app, org)).id
    const records: Array<[number, string, number]> = [[1, 'card', 40], [2, 'cash', 5], [3, 'voucher', 2], [4, 'crypto', 1], [61, 'card', 10], [62, 'crypto', 3]]
    for (const [minutes, method, amount] of records) {
      await ctx.admin.query('insert into ingest.pipeline_data (pipeline_id, organization_id, data, record_time) values ($1, $2, $3, $4)',
        [pipelineId, org.id, JSON.stringify({ method, amount }), new Date(hour + minutes * 60_000)])
    }
    const response = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/widgets/preview`,
      headers: org.owner.headers,
      payload: { dataQuery: { source: 'pipeline', pipelineId, field: 'amount', aggregation: 'sum', bucket: '1h', groupBy: 'method', limit: 1 }, from: new Date(hour).toISOString(), to: new Date(hour + 2 * HOUR).toISOString() },
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().series.points.map((p: { group: string; value: number }) => [p.group, p.value])).toEqual([['card', 40], ['other', 8], ['card', 10], ['other', 3]])
  })

  it('refuses a limit outside 1..50', async () => {
    const metricId = await createMetric(ctx.admin, org.id, `limits.${suffix}`, 'sum')
    const { id } = await dashboardWith([])
    for (const limit of [0, 51, 2.5]) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: dashboards(`/${id}/widgets`),
        headers: org.owner.headers,
        payload: { type: 'line_chart', title: 'Top', position: pos, dataQuery: { source: 'metric', metricId, groupBy: 'store', limit } },
      })
      expect(response.statusCode, String(limit)).toBe(400)
    }
  })
})
