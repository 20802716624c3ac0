import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestContext } from '../../../test/app.ts'
import { aggregatePerformanceMetrics, type PeriodAggregation } from './performance-metrics.jobs.ts'

/**
 * telemetry:aggregate-performance on real PostgreSQL: request logs, job runs and ingest rows of
 * known values in closed buckets, aggregated by the SQL function as the owner role (the job's
 * connection), compared with the expected figures and with plain SQL over the same rows.
 */

let ctx: TestContext
let owner: pg.Client
/** Start of a closed minute ten minutes ago, where the exact figures are planted. */
let minute: Date
let first: PeriodAggregation[]

const STEP_SQL: Record<string, string> = { '1m': '1 minute', '5m': '5 minutes', '15m': '15 minutes', '1h': '1 hour', '1d': '1 day', '1w': '7 days' }
const ORIGIN = '2001-01-01 00:00:00+00'

async function insertRequests(rows: Array<{ at: Date; route: string | null; method?: string; status: number; durationMs: number }>) {
  for (const row of rows) {
    await ctx.admin.query(
      `insert into telemetry.request_logs (request_id, method, route, path, response_status_code, duration_ms, success, "timestamp")
       values ($1, $2, $3, coalesce($3, '/unmatched'), $4, $5, $4 < 400, $6)`,
      [randomUUID(), row.method ?? 'GET', row.route, row.status, row.durationMs, row.at])
  }
}

async function metricRows(period: string, name: string, labels: Record<string, string>) {
  const { rows } = await ctx.admin.query<{ timestamp: Date; value: string; unit: string; service: string; measurement_type: string; environment: string }>(
    `select "timestamp", metric_value::text as value, unit, service, measurement_type, environment from telemetry.performance_metrics
      where organization_id is null and aggregation_period = $1 and metric_name = $2 and labels = $3::jsonb order by "timestamp"`,
    [period, name, JSON.stringify(labels)])
  return rows
}

async function valueAt(period: string, name: string, labels: Record<string, string>, at: Date): Promise<number | undefined> {
  const row = (await metricRows(period, name, labels)).find((r) => r.timestamp.getTime() === at.getTime())
  return row ? Number(row.value) : undefined
}

async function run() {
  return aggregatePerformanceMetrics(owner, { environment: 'test', poolSize: 10 })
}

beforeAll(async () => {
  ctx = await createTestApp()
  owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
  const { rows } = await ctx.admin.query<{ minute: Date; hours_ago: Date; yesterday: Date; last_week: Date }>(
    `select date_trunc('minute', now()) - interval '10 minutes' as minute,
            date_trunc('hour', now()) - interval '2 hours' + interval '7 minutes' as hours_ago,
            date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '14 hours' as yesterday,
            date_trunc('week', now() at time zone 'UTC') at time zone 'UTC' - interval '5 days' + interval '9 hours' as last_week`)
  minute = rows[0]!.minute
  const yesterday = rows[0]!.yesterday
  const lastWeek = rows[0]!.last_week
  const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000)

  // Minute M: durations 1..100 ms on one route; 5 answered 500, 10 answered 404.
  await insertRequests(Array.from({ length: 100 }, (_, i) => ({
    at: at(minute, (i * 59) / 100), route: '/api/v1/things', status: i < 5 ? 500 : i < 15 ? 404 : 200, durationMs: i + 1,
  })))
  // Minute M+1: another route and an unmatched path (no per-route series).
  await insertRequests([10, 20, 30, 40].map((ms, i) => ({ at: at(minute, 60 + i * 10), route: '/api/v1/other', method: 'POST', status: 201, durationMs: ms })))
  await insertRequests([{ at: at(minute, 65), route: null, status: 404, durationMs: 3 }])
  // Two hours ago (closed 5m, 15m and 1h buckets whatever the time), yesterday and last week.
  await insertRequests(Array.from({ length: 40 }, (_, i) => ({ at: at(rows[0]!.hours_ago, i * 45), route: '/api/v1/things', status: i % 8 === 0 ? 502 : 200, durationMs: 13 * i + 1 })))
  // Yesterday and last week, for the day and week buckets.
  await insertRequests(Array.from({ length: 30 }, (_, i) => ({ at: at(yesterday, i * 97), route: '/api/v1/things', status: i % 10 === 0 ? 503 : 200, durationMs: 7 * i + 5 })))
  await insertRequests(Array.from({ length: 20 }, (_, i) => ({ at: at(lastWeek, i * 3600), route: '/api/v1/other', status: 200, durationMs: 11 * i + 2 })))
  // The open minute: never aggregated.
  await insertRequests([{ at: new Date(), route: '/api/v1/open', status: 200, durationMs: 9999 }])

  // Job runs of minute M.
  for (const [outcome, ms] of [['succeeded', 100], ['succeeded', 200], ['succeeded', 300], ['failed', 400], ['skipped', 0]] as const) {
    await ctx.admin.query(
      `insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome) values ('test:probe', $1, $1::timestamptz + make_interval(secs => $2::double precision / 1000), $2, $3)`,
      [at(minute, 1), ms, outcome])
  }
  // Ingest of minute M: 30 pipeline records and 120 metric points.
  await ctx.admin.query(
    `insert into ingest.pipeline_data (pipeline_id, organization_id, data, ingested_at) select $1, $2, '{}', $3 from generate_series(1, 30)`,
    [randomUUID(), randomUUID(), at(minute, 5)])
  // A runtime connection for the pool gauge to see.
  await ctx.database.pool.query('select 1')

  first = await run()
})
afterAll(async () => {
  await owner?.end()
  await ctx?.close()
})

describe('private.operator_aggregate_performance_metrics', () => {
  it('writes the latency percentiles, throughput and error rates of a closed minute', async () => {
    const stat = (s: string) => valueAt('1m', 'http_request_duration_ms', { stat: s }, minute)
    expect(await stat('avg')).toBe(50.5)
    expect(await stat('p50')).toBe(50.5)
    expect(await stat('p95')).toBe(95.05)
    expect(await stat('p99')).toBe(99.01)
    expect(await valueAt('1m', 'http_request_duration_ms', { route: '/api/v1/things', method: 'GET', stat: 'p95' }, minute)).toBe(95.05)
    expect(await valueAt('1m', 'http_requests_per_second', {}, minute)).toBe(1.6667)
    expect(await valueAt('1m', 'http_error_rate_percent', {}, minute)).toBe(5)
    expect(await valueAt('1m', 'http_client_error_rate_percent', {}, minute)).toBe(10)

    const next = new Date(minute.getTime() + 60_000)
    expect(await valueAt('1m', 'http_requests_per_second', {}, next)).toBe(0.0833)
    expect(await valueAt('1m', 'http_request_duration_ms', { route: '/api/v1/other', method: 'POST', stat: 'avg' }, next)).toBe(25)
    // The unmatched request counts overall (5 requests, p50 of 3,10,20,30,40) but has no route series.
    expect(await valueAt('1m', 'http_request_duration_ms', { stat: 'p50' }, next)).toBe(20)
    const { rows: unmatched } = await ctx.admin.query(`select 1 from telemetry.performance_metrics where labels ? 'route' and labels->>'route' is null`)
    expect(unmatched).toHaveLength(0)

    const [row] = await metricRows('1m', 'http_request_duration_ms', { stat: 'p95' })
    expect(row).toMatchObject({ unit: 'ms', service: 'api', measurement_type: 'summary', environment: 'test' })
  })

  it('starts the first run at the first request, not at the look-back', async () => {
    const minuteRun = first.find((p) => p.period === '1m')!
    const { rows: [firstRequest] } = await ctx.admin.query<{ at: Date }>(
      `select date_trunc('minute', min("timestamp")) as at from telemetry.request_logs where "timestamp" >= $1 and "timestamp" < $2`,
      [minuteRun.windowStart, minuteRun.windowEnd])
    const rps = await metricRows('1m', 'http_requests_per_second', {})
    expect(rps[0]!.timestamp.getTime()).toBe(firstRequest!.at.getTime())
  })

  it('writes job durations and runs, and ingest rates', async () => {
    expect(await valueAt('1m', 'job_duration_ms', { job: 'test:probe', stat: 'avg' }, minute)).toBe(250)
    expect(await valueAt('1m', 'job_duration_ms', { job: 'test:probe', stat: 'p95' }, minute)).toBe(385)
    expect(await valueAt('1m', 'job_duration_ms', { job: 'test:probe', stat: 'max' }, minute)).toBe(400)
    expect(await valueAt('1m', 'job_runs_total', { job: 'test:probe', outcome: 'succeeded' }, minute)).toBe(3)
    expect(await valueAt('1m', 'job_runs_total', { job: 'test:probe', outcome: 'skipped' }, minute)).toBe(1)
    expect((await metricRows('1m', 'job_duration_ms', { job: 'test:probe', stat: 'avg' }))[0]).toMatchObject({ service: 'worker' })
    expect(await valueAt('1m', 'ingest_records_per_second', { source: 'pipeline' }, minute)).toBe(0.5)
    expect(await valueAt('1m', 'ingest_records_per_second', { source: 'metric' }, minute)).toBe(0)
  })

  it('samples the runtime pool into the minute that just closed', async () => {
    const minuteRun = first.find((p) => p.period === '1m')!
    const sampled = new Date(minuteRun.windowEnd.getTime() - 60_000)
    const utilization = await valueAt('1m', 'db_pool_utilization_percent', {}, sampled)
    expect(utilization).toBeGreaterThanOrEqual(0)
    const { rows } = await ctx.admin.query<{ labels: { application: string; state: string }; value: string }>(
      `select labels, metric_value::text as value from telemetry.performance_metrics
        where metric_name = 'db_pool_connections' and aggregation_period = '1m' and "timestamp" = $1`, [sampled])
    expect(rows.reduce((sum, r) => sum + Number(r.value), 0)).toBeGreaterThanOrEqual(1)
    expect(rows.every((r) => r.labels.application !== '' && r.labels.state !== '')).toBe(true)
  })

  it('never writes a bucket that is still open', async () => {
    for (const period of first) {
      const { rows } = await ctx.admin.query(
        'select 1 from telemetry.performance_metrics where aggregation_period = $1 and "timestamp" >= $2', [period.period, period.windowEnd])
      expect(rows, period.period).toHaveLength(0)
    }
    const { rows } = await ctx.admin.query(`select 1 from telemetry.performance_metrics where labels->>'route' = '/api/v1/open'`)
    expect(rows).toHaveLength(0)
  })

  it('writes 5m, 15m, 1h, 1d and 1w buckets equal to plain SQL over the request log', async () => {
    for (const period of ['5m', '15m', '1h', '1d', '1w']) {
      const windowStart = first.find((p) => p.period === period)!.windowStart
      const windowEnd = first.find((p) => p.period === period)!.windowEnd
      const { rows: expected } = await ctx.admin.query<{ bucket: Date; p95: string; rps: string; errors: string }>(
        `select date_bin($1::interval, "timestamp", $2::timestamptz) as bucket,
                round((percentile_cont(0.95) within group (order by duration_ms))::numeric, 4)::text as p95,
                round(count(*) / extract(epoch from $1::interval), 4)::text as rps,
                round(100.0 * count(*) filter (where response_status_code >= 500) / count(*), 4)::text as errors
           from telemetry.request_logs where "timestamp" >= $3 and "timestamp" < $4 group by 1 order by 1`,
        [STEP_SQL[period], ORIGIN, windowStart, windowEnd])
      expect(expected.length, period).toBeGreaterThan(0)
      const p95 = await metricRows(period, 'http_request_duration_ms', { stat: 'p95' })
      expect(p95.map((r) => [r.timestamp.toISOString(), Number(r.value)]), period).toEqual(expected.map((e) => [e.bucket.toISOString(), Number(e.p95)]))
      // Throughput has a row for every closed bucket of the window, 0 where nothing was requested.
      const rps = new Map((await metricRows(period, 'http_requests_per_second', {})).map((r) => [r.timestamp.toISOString(), Number(r.value)]))
      const expectedRps = new Map(expected.map((e) => [e.bucket.toISOString(), Number(e.rps)]))
      for (const [bucket, value] of rps) {
        expect(value, `${period} ${bucket}`).toBe(expectedRps.get(bucket) ?? 0)
      }
      expect([...expectedRps.keys()].every((bucket) => rps.has(bucket)), period).toBe(true)
      const errors = await metricRows(period, 'http_error_rate_percent', {})
      expect(errors.map((r) => Number(r.value)), period).toEqual(expected.map((e) => Number(e.errors)))
    }
    // Weeks start on Monday 00:00 UTC.
    const weeks = await metricRows('1w', 'http_requests_per_second', {})
    expect(weeks.length).toBeGreaterThan(0)
    expect(weeks.every((w) => w.timestamp.getUTCDay() === 1 && w.timestamp.getUTCHours() === 0 && w.timestamp.getUTCMinutes() === 0)).toBe(true)
  })

  it('averages the minute samples of the pool gauges into coarser buckets', async () => {
    const { rows } = await ctx.admin.query<{ mismatches: string }>(
      `select count(*)::text as mismatches from telemetry.performance_metrics c
        where c.aggregation_period = '5m' and c.metric_name = 'db_pool_utilization_percent'
          and c.metric_value <> (select round(avg(m.metric_value), 4) from telemetry.performance_metrics m
                                  where m.aggregation_period = '1m' and m.metric_name = c.metric_name and m.labels = c.labels
                                    and m."timestamp" >= c."timestamp" and m."timestamp" < c."timestamp" + interval '5 minutes')`)
    expect(rows[0]!.mismatches).toBe('0')
  })

  it('is idempotent: a second run keeps the same rows and values, with no duplicates', async () => {
    // Buckets closed before the previous run only: a minute may close between two runs.
    const prior = await run()
    const closedBefore = Object.fromEntries(prior.map((p) => [p.period, p.windowEnd.toISOString()]))
    const snapshot = async () => (await ctx.admin.query<{ key: string }>(
      `select aggregation_period || ' ' || metric_name || ' ' || labels::text || ' ' || "timestamp"::text || ' ' || metric_value::text as key
         from telemetry.performance_metrics
        where metric_name not like 'db_pool%' and "timestamp" < ($1::jsonb ->> aggregation_period)::timestamptz order by 1`, [JSON.stringify(closedBefore)])).rows.map((r) => r.key)
    const before = await snapshot()
    const second = await run()
    expect(second.map((p) => p.period)).toEqual(['1m', '5m', '15m', '1h', '1d', '1w'])
    expect(await snapshot()).toEqual(before)
    // A week closed days ago is not read again each minute: with no newly closed bucket the
    // window is empty (only a bucket closed under two minutes ago is computed twice).
    const week = second.find((p) => p.period === '1w')!
    if (Date.now() - week.windowEnd.getTime() > 3 * 60_000) {
      expect(week.windowStart.getTime()).toBe(week.windowEnd.getTime())
    }
    const minuteRun = second.find((p) => p.period === '1m')!
    expect(minuteRun.windowEnd.getTime() - minuteRun.windowStart.getTime()).toBeLessThanOrEqual(2 * 60_000)
    const { rows: duplicates } = await ctx.admin.query(
      `select 1 from telemetry.performance_metrics group by organization_id, metric_name, aggregation_period, "timestamp", labels having count(*) > 1`)
    expect(duplicates).toHaveLength(0)
    // The watermarks moved to the end of each window.
    const { rows: marks } = await ctx.admin.query<{ name: string; watermark: Date }>(
      `select name, watermark from ops.rollup_watermarks where name like 'telemetry.performance_metrics:%'`)
    expect(marks).toHaveLength(6)
    for (const mark of marks) {
      expect(mark.watermark.getTime()).toBeGreaterThanOrEqual(first.find((p) => `telemetry.performance_metrics:${p.period}` === mark.name)!.windowEnd.getTime())
    }
  })

  it('counts metric points from the table counters between two samples', async () => {
    // The first run took the baseline sample; 120 points arrive, their counts are flushed.
    const session = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await session.connect()
    try {
      await session.query(
        `insert into ts.time_series_data ("timestamp", metric_id, organization_id, value) select now(), $1, $2, g from generate_series(1, 120) g`,
        [randomUUID(), randomUUID()])
      await session.query('select pg_stat_force_next_flush()')
    } finally {
      await session.end()
    }
    const runs = await run()
    const closed = new Date(runs.find((p) => p.period === '1m')!.windowEnd.getTime() - 60_000)
    const { rows: [total] } = await ctx.admin.query<{ n: string }>(
      `select sum(metric_value)::text as n from telemetry.performance_metrics
        where aggregation_period = '1m' and metric_name = 'ingest_records_total' and labels = '{"source": "metric"}'`)
    expect(Number(total!.n)).toBeCloseTo(120, 2)
    const rate = await valueAt('1m', 'ingest_records_per_second', { source: 'metric' }, closed)
    const counted = await valueAt('1m', 'ingest_records_total', { source: 'metric' }, closed)
    expect(rate).toBeCloseTo(counted! / 60, 3)
  })
})
