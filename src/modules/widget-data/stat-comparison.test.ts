import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from '../timeseries/series.fixtures.ts'
import { comparedPeriods, rangeAggregate } from './stat-comparison.ts'

/**
 * A stat card's figure (issue 5): the aggregation over the whole range against the same length
 * just before it, answered by the dashboard data endpoint and the widget preview from real points.
 */

const HOUR = 3_600_000
let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

// The compared range is [start, start + 2 h), its previous period [start - 2 h, start): all in the past.
const start = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()
const range = { from: iso(start), to: iso(start + 2 * HOUR) }
const previous = { previousFrom: iso(start - 2 * HOUR), previousTo: iso(start) }
const at = (offsetMinutes: number, value: number, dims: Record<string, string> = {}): Point => ({ ts: new Date(start + offsetMinutes * 60_000), value: value.toFixed(4), dims })
const pos = (x: number, y: number) => ({ x, y, w: 4, h: 2 })

interface Item {
  id: string
  status: string
  series?: { bucket: string; points: Array<{ t: string; value: number; group?: string | null }> }
  comparison?: { value: number | null; previous: number | null; from: string; to: string; previousFrom: string; previousTo: string }
}

async function dashboardWith(widgets: Array<Record<string, unknown>>): Promise<{ id: string; widgetIds: string[] }> {
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards`, headers: org.owner.headers, payload: { name: `Stats ${Math.random()}` } })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json().id as string
  const widgetIds: string[] = []
  for (const widget of widgets) {
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards/${id}/widgets`, headers: org.owner.headers, payload: widget })
    expect(response.statusCode, response.body).toBe(201)
    widgetIds.push(response.json().id)
  }
  return { id, widgetIds }
}

async function data(dashboardId: string, query = `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`): Promise<{ from: string; to: string; items: Item[] }> {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/data?${query}`, headers: org.owner.headers })
  expect(response.statusCode, response.body).toBe(200)
  const body = response.json()
  return { from: body.from, to: body.to, items: body.widgets }
}

async function preview(body: Record<string, unknown>): Promise<Item> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/widgets/preview`, headers: org.owner.headers, payload: body })
  expect(response.statusCode, response.body).toBe(200)
  return response.json()
}

describe('stat card comparison on GET /dashboards/:id/data', () => {
  it('sums a sum metric over the whole range and over the same length before it; charts get no comparison', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.orders', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [
      at(-180, 100), // before both periods
      at(-90, 2), at(-30, 3), // the previous period
      at(0, 1), at(10, 4), at(70, 6), at(80, 10), // the range (its start is inside, its end is not)
      at(120, 1000),
    ])
    const query = { source: 'metric', metricId, bucket: '1h' }
    const board = await dashboardWith([
      { type: 'stat_card', title: 'Orders', position: pos(0, 0), dataQuery: query },
      { type: 'line_chart', title: 'Orders per hour', position: pos(4, 0), dataQuery: query },
    ])
    const { items } = await data(board.id)
    const [stat, chart] = items
    expect(stat).toMatchObject({ status: 'ok', comparison: { value: 21, previous: 5, ...range, ...previous } })
    // The sparkline is the range's buckets; the figure is not the latest bucket's (16).
    expect(stat!.series!.points.map((p) => [p.t, p.value])).toEqual([[iso(start), 5], [iso(start + HOUR), 16]])
    expect(chart).not.toHaveProperty('comparison')
  })

  it('averages an avg metric over every point (weighted by count), not over the bucket averages', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.latency', 'avg')
    await insertBatch(ctx.admin, org.id, metricId, [at(-60, 10), at(-50, 20), at(5, 1), at(6, 2), at(65, 9)])
    const board = await dashboardWith([{ type: 'stat_card', title: 'Latency', position: pos(0, 0), dataQuery: { source: 'metric', metricId, bucket: '1h' } }])
    const [stat] = (await data(board.id)).items
    expect(stat!.series!.points.map((p) => p.value)).toEqual([1.5, 9])
    expect(stat!.comparison!.value).toBeCloseTo(4, 10) // (1 + 2 + 9) / 3, where the bucket averages give 5.25
    expect(stat!.comparison!.previous).toBeCloseTo(15, 10)
  })

  it('takes min and max of the whole range with those aggregations', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.temperature', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [at(-100, -4), at(-20, 30), at(10, 7), at(50, 3), at(100, 12)])
    const board = await dashboardWith([
      { type: 'stat_card', title: 'Coldest', position: pos(0, 0), dataQuery: { source: 'metric', metricId, aggregation: 'min', bucket: '15m' } },
      { type: 'stat_card', title: 'Warmest', position: pos(4, 0), dataQuery: { source: 'metric', metricId, aggregation: 'max', bucket: '15m' } },
    ])
    const [coldest, warmest] = (await data(board.id)).items
    expect(coldest!.comparison).toMatchObject({ value: 3, previous: -4 })
    expect(warmest!.comparison).toMatchObject({ value: 12, previous: 30 })
  })

  it('has no previous value when the period before the range has no point', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.new', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [at(15, 3), at(75, 4)])
    const board = await dashboardWith([{ type: 'stat_card', title: 'New', position: pos(0, 0), dataQuery: { source: 'metric', metricId, bucket: '1h' } }])
    const [stat] = (await data(board.id)).items
    expect(stat!.comparison).toEqual({ value: 7, previous: null, ...range, ...previous })
  })

  it('totals a grouped stat card over every group, the merged "other" included', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.regions', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [
      at(-100, 1, { region: 'eu' }), at(-40, 1, { region: 'us' }),
      at(10, 2, { region: 'eu' }), at(20, 3, { region: 'us' }), at(30, 5, { region: 'apac' }), at(90, 4, { region: 'eu' }),
    ])
    const board = await dashboardWith([{ type: 'stat_card', title: 'Regions', position: pos(0, 0), dataQuery: { source: 'metric', metricId, bucket: '1h', groupBy: 'region', limit: 1 } }])
    const [stat] = (await data(board.id)).items
    expect(new Set(stat!.series!.points.map((p) => p.group))).toEqual(new Set(['eu', 'other']))
    expect(stat!.comparison).toMatchObject({ value: 14, previous: 2 })
  })

  it('compares a window ending now with the window before it, and a filtered card only on its points', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'stat.window', 'sum')
    await insertBatch(ctx.admin, org.id, metricId, [at(-20 * 60, 8, { region: 'eu' }), at(-30 * 60, 100, { region: 'eu' }), at(10, 5, { region: 'eu' }), at(20, 50, { region: 'us' })])
    const board = await dashboardWith([{ type: 'stat_card', title: 'EU', position: pos(0, 0), dataQuery: { source: 'metric', metricId, filters: { region: 'eu' } } }])
    const day = await data(board.id, 'range=24h')
    expect(day.items[0]!.comparison).toEqual({ value: 5, previous: 108, from: day.from, to: day.to, previousFrom: iso(Date.parse(day.from) - 24 * HOUR), previousTo: day.from })
    // The view's filters reach the previous period too.
    const us = await data(board.id, `range=24h&filters=${encodeURIComponent('{"region":"us"}')}`)
    expect(us.items[0]!.comparison).toMatchObject({ value: 5, previous: 108 })
  })
})

describe('stat card comparison on POST /widgets/preview', () => {
  it('answers the comparison when asked, for a pipeline source too; not without compare or without from', async () => {
    const pipelineId = (await createPipeline(ctx.app, org)).id
    for (const [minutes, amount] of [[-70, 4], [5, 5], [65, 7], [66, 'n/a']] as const) {
      await ctx.admin.query('insert into ingest.pipeline_data (pipeline_id, organization_id, data, record_time) values ($1, $2, $3, $4)', [pipelineId, org.id, JSON.stringify({ amount }), new Date(start + minutes * 60_000)])
    }
    const summed = await preview({ dataQuery: { source: 'pipeline', pipelineId, field: 'amount', bucket: '1h' }, ...range, compare: true })
    expect(summed.comparison).toEqual({ value: 12, previous: 4, ...range, ...previous })
    const counted = await preview({ dataQuery: { source: 'pipeline', pipelineId, bucket: '1h' }, ...range, compare: true })
    expect(counted.comparison).toMatchObject({ value: 3, previous: 1 })
    expect(await preview({ dataQuery: { source: 'pipeline', pipelineId, bucket: '1h' }, ...range })).not.toHaveProperty('comparison')
    const open = await preview({ dataQuery: { source: 'pipeline', pipelineId, bucket: '1h' }, to: range.to, compare: true })
    expect(open.status).toBe('ok')
    expect(open).not.toHaveProperty('comparison')
  })
})

describe(rangeAggregate.name, () => {
  const point = (value: number | null, count: number, min = value, max = value) => ({ t: '2026-01-01T00:00:00.000Z', value, count, min, max })

  it('combines buckets with the aggregation, and is null without points', () => {
    expect(rangeAggregate({ agg: 'sum', points: [point(2, 1), point(3, 2)] })).toBe(5)
    expect(rangeAggregate({ agg: 'count', points: [point(2, 2), point(3, 3)] })).toBe(5)
    expect(rangeAggregate({ agg: 'avg', points: [point(1, 1), point(4, 3)] })).toBe(3.25)
    expect(rangeAggregate({ agg: 'min', points: [point(2, 1), point(-1, 1)] })).toBe(-1)
    expect(rangeAggregate({ agg: 'max', points: [point(2, 1), point(-1, 1)] })).toBe(2)
    expect(rangeAggregate({ agg: 'sum', points: [] })).toBeNull()
  })
})

describe(comparedPeriods.name, () => {
  it('pins an open end to now and takes the same length before the start; none without a start or forward range', () => {
    const now = new Date('2026-03-02T00:00:00.000Z')
    expect(comparedPeriods({ from: '2026-03-01T00:00:00.000Z' }, now)).toEqual({
      current: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
      previous: { from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
    })
    expect(comparedPeriods({ to: '2026-03-01T00:00:00.000Z' }, now)).toBeNull()
    expect(comparedPeriods({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }, now)).toBeNull()
  })
})
