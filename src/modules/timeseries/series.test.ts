import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type TestContext } from '../../../test/app.ts'
import { runTask } from '../../../test/jobs.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { registry } from '../../platform/metrics.ts'
import { createMetric, ensurePointPartitions, insertBatch, type Point } from './series.fixtures.ts'

/** The series API around the engine: buckets, time zones, groups, the cache and its invalidation, errors. */

const HOUR = 3_600_000
const DAY = 24 * HOUR
let ctx: TestContext
let org: OrgFixture
let other: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePointPartitions(ctx.testDb.ownerUrl)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

interface Body {
  bucket: string
  source: string
  cache: string
  asOf: string
  points: Array<{ t: string; value: number; count: number; min: number; max: number; group?: string | null }>
}

async function series(metricId: string, query: Record<string, string>, as: OrgFixture = org, orgId = org.id) {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/metrics/${metricId}/series?${new URLSearchParams(query)}`, headers: as.owner.headers })
  return { status: response.statusCode, body: response.json() as Body & { error?: { code: string } } }
}

const at = (iso: string, value: number, dims: Record<string, string> = {}): Point => ({ ts: new Date(iso), value: value.toFixed(4), dims })
/** A UTC midnight some days back (inside the attached partitions). */
const daysAgo = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY - days * DAY)

describe('GET /metrics/:metricId/series', () => {
  it('buckets days in the requested time zone (date_trunc at local midnight)', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'tz_days')
    const day = daysAgo(5)
    const iso = (hours: number) => new Date(day.getTime() + hours * HOUR).toISOString()
    // 01:00 and 02:00 UTC are the previous evening in New York (UTC-4 or -5), 10:00 UTC the same day.
    await insertBatch(ctx.admin, org.id, metricId, [at(iso(1), 1), at(iso(2), 2), at(iso(10), 4)])
    const range = { from: new Date(day.getTime() - DAY).toISOString(), to: new Date(day.getTime() + DAY).toISOString(), bucket: '1d', agg: 'sum' }
    const utc = await series(metricId, { ...range, tz: 'UTC' })
    expect(utc.body.points.map((p) => [p.t, p.value])).toEqual([[day.toISOString(), 7]])
    const ny = await series(metricId, { ...range, tz: 'America/New_York' })
    expect(ny.body.points.map((p) => p.value)).toEqual([3, 4])
    const offset = new Date(ny.body.points[1]!.t).getTime() - day.getTime()
    expect([4 * HOUR, 5 * HOUR]).toContain(offset)
  })

  it('answers from the rollups once the job ran, and merges avg from partial sums', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'rolled', 'avg')
    const day = daysAgo(3)
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + HOUR).toISOString(), 1), at(new Date(day.getTime() + 2 * HOUR).toISOString(), 2)])
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + 2 * HOUR + 5).toISOString(), 6)])
    const query = { from: day.toISOString(), to: new Date(day.getTime() + DAY).toISOString(), bucket: '1d' }
    expect((await series(metricId, query)).body).toMatchObject({ source: 'raw', points: [{ value: 3, count: 3, min: 1, max: 6 }] })
    await runTask(ctx, 'ts:rollup')
    expect((await series(metricId, query)).body).toMatchObject({ source: 'rollup', points: [{ value: 3, count: 3, min: 1, max: 6 }] })
    const { rows } = await ctx.admin.query("select status, invalidations, rows_written from ops.aggregation_jobs where status = 'completed' order by completed_at desc limit 1")
    expect(rows[0]).toMatchObject({ status: 'completed' })
    expect(rows[0].invalidations).toBeGreaterThan(0)
  })

  it('picks the finest standard bucket giving at most ~300 points for bucket=auto', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'auto')
    const from = daysAgo(7)
    const bucket = async (ms: number) => (await series(metricId, { from: from.toISOString(), to: new Date(from.getTime() + ms).toISOString() })).body.bucket
    expect(await bucket(4 * HOUR)).toBe('1m')
    expect(await bucket(DAY)).toBe('5m')
    expect(await bucket(3 * DAY)).toBe('15m')
    expect(await bucket(7 * DAY)).toBe('1h')
    expect(await bucket(200 * DAY)).toBe('1d')
    expect(await bucket(5 * 365 * DAY)).toBe('1w')
  })

  it('groups by a dimension: the top 20 groups by point count, the rest as "other"', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'grouped')
    const base = daysAgo(2).getTime()
    // host h0 gets 26 points, h1 25, … h24 2: the 20 busiest keep their name.
    const points = Array.from({ length: 25 }, (_, host) => Array.from({ length: 26 - host }, (_, n) => at(new Date(base + host * 1000 + n * 60_000).toISOString(), 1, { host: `h${host}` }))).flat()
    await insertBatch(ctx.admin, org.id, metricId, [...points, at(new Date(base + 5).toISOString(), 1)])
    const { body } = await series(metricId, { from: new Date(base).toISOString(), to: new Date(base + DAY).toISOString(), bucket: '1d', agg: 'count', groupBy: 'host' })
    const groups = new Map(body.points.map((p) => [p.group, p.value]))
    expect(groups.size).toBe(21)
    expect(groups.get('h0')).toBe(26)
    expect(groups.get('h19')).toBe(7)
    expect(groups.has('h20')).toBe(false)
    // h20..h24 (6+5+4+3+2) and the point without a host (the 21st group by count) go to "other".
    expect(groups.get('other')).toBe(21)
    const filtered = await series(metricId, { from: new Date(base).toISOString(), to: new Date(base + DAY).toISOString(), bucket: '1d', agg: 'count', filter: 'host:h3' })
    expect(filtered.body.points.map((p) => p.value)).toEqual([23])
  })

  it('serves a repeated query from the cache until a batch touches its range', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'cached')
    const day = daysAgo(4)
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + HOUR).toISOString(), 5)])
    const query = { from: day.toISOString(), to: new Date(day.getTime() + DAY).toISOString(), bucket: '1h', agg: 'sum' }
    const hits = async () => (await registry.getSingleMetric('tessera_series_cache_requests_total')!.get()).values.find((v) => v.labels.outcome === 'hit')?.value ?? 0
    const before = await hits()
    expect((await series(metricId, query)).body).toMatchObject({ cache: 'miss', points: [{ value: 5 }] })
    expect((await series(metricId, query)).body).toMatchObject({ cache: 'hit', points: [{ value: 5 }] })
    expect(await hits()).toBe(before + 1)
    // A batch outside the range leaves the entry valid; one inside invalidates it at once.
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + 2 * DAY).toISOString(), 100)])
    expect((await series(metricId, query)).body.cache).toBe('hit')
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + 3 * HOUR).toISOString(), 7)])
    expect((await series(metricId, query)).body).toMatchObject({ cache: 'miss', points: [{ value: 5 }, { value: 7 }] })
    expect((await series(metricId, query)).body.cache).toBe('hit')
    // The rollup consuming a batch deletes the entries over its range.
    await insertBatch(ctx.admin, org.id, metricId, [at(new Date(day.getTime() + 3 * HOUR + 1).toISOString(), 1)])
    await runTask(ctx, 'ts:rollup')
    expect((await ctx.admin.query('select count(*)::int as n from ts.query_cache where metric_id = $1', [metricId])).rows[0].n).toBe(0)
    expect((await series(metricId, query)).body).toMatchObject({ cache: 'miss', source: 'rollup', points: [{ value: 5 }, { value: 8 }] })
    const { rows } = await ctx.admin.query('select cache_hit, rows_returned from telemetry.query_performance_logs where metric_id = $1 order by executed_at', [metricId])
    expect(rows.map((r) => r.cache_hit)).toEqual([false, true, true, false, true, false])
  })

  it('keeps answers for timeseries.cache_ttl_seconds, and not at all with 0', async () => {
    const admin = await setupAdmin(ctx.app)
    const setTtl = async (value: number) => {
      const response = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings/timeseries.cache_ttl_seconds', headers: admin.headers, payload: { value } })
      expect(response.statusCode, response.body).toBe(200)
    }
    const metricId = await createMetric(ctx.admin, org.id, 'ttl')
    const day = daysAgo(3)
    const query = { from: day.toISOString(), to: new Date(day.getTime() + DAY).toISOString(), bucket: '1h', agg: 'sum' }
    const lifetime = async () =>
      (await ctx.admin.query<{ s: number }>('select extract(epoch from expires_at - created_at)::int as s from ts.query_cache where metric_id = $1', [metricId])).rows[0]?.s
    await setTtl(600)
    expect((await series(metricId, query)).body.cache).toBe('miss')
    expect(await lifetime()).toBe(600)
    expect((await series(metricId, query)).body.cache).toBe('hit')
    await setTtl(0)
    expect((await series(metricId, { ...query, agg: 'max' })).body.cache).toBe('miss')
    expect((await series(metricId, { ...query, agg: 'max' })).body.cache).toBe('miss')
    const invalid = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings/timeseries.cache_ttl_seconds', headers: admin.headers, payload: { value: -1 } })
    expect(invalid.statusCode).toBe(400)
    await setTtl(60)
  })

  it('lets a viewer query (the cache and the log take any member’s writes)', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'viewed')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const now = Date.now()
    const response = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.id}/metrics/${metricId}/series?from=${new Date(now - DAY).toISOString()}&to=${new Date(now).toISOString()}`,
      headers: viewer.headers,
    })
    expect(response.statusCode).toBe(200)
  })

  it('answers 400 with stable codes for a bad bucket, agg, time zone or range, and 404 for an unknown or foreign metric', async () => {
    const metricId = await createMetric(ctx.admin, org.id, 'errors')
    const from = daysAgo(2).toISOString()
    const to = daysAgo(1).toISOString()
    const code = async (query: Record<string, string>, as = org, orgId = org.id, id = metricId) => {
      const { status, body } = await series(id, query, as, orgId)
      return [status, body.error?.code]
    }
    expect(await code({ from, to, bucket: '2h' })).toEqual([400, 'validation_failed'])
    expect(await code({ from, to, agg: 'median' })).toEqual([400, 'validation_failed'])
    expect(await code({ from, to, tz: 'Mars/Olympus' })).toEqual([400, 'invalid_time_zone'])
    expect(await code({ from: to, to: from })).toEqual([400, 'invalid_time_range'])
    expect(await code({ from: '2000-01-01T00:00:00Z', to })).toEqual([400, 'invalid_time_range'])
    expect(await code({ from: daysAgo(30).toISOString(), to, bucket: '1m' })).toEqual([400, 'invalid_time_range'])
    expect(await code({ from, to, filter: 'nocolon' })).toEqual([400, 'validation_failed'])
    expect(await code({ from, to }, org, org.id, '00000000-0000-4000-8000-000000000000')).toEqual([404, 'not_found'])
    const foreign = await createMetric(ctx.admin, other.id, 'foreign')
    expect(await code({ from, to }, org, org.id, foreign)).toEqual([404, 'not_found'])
    expect(await code({ from, to }, other, org.id)).toEqual([404, 'not_found'])
  })
})
