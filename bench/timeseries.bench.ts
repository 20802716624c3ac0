/**
 * `npm run bench:timeseries`: the time-series engine on a generated data set (issue 4,
 * Performance). A benchmark, not a test.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a superuser URL; a scratch database is created and dropped),
 * else an embedded cluster in a temporary directory. Tessera runs as a child process
 * (`tessera start`: API and worker). The data set is BENCH_METRICS metrics × BENCH_HOSTS hosts
 * (series) × BENCH_DAYS days, one point a minute per series (default 10 × 100 × 14 = 20.2M
 * points), written with COPY by the superuser; the rollups are then brought up to date by the
 * same SQL function the worker's ts:rollup job calls. Figures:
 * - points/s through the many-metrics points API (4 clients, 5,000-point batches);
 * - p50/p95 of a 7-day and a 30-day series query (1-hour buckets, avg) for one metric through
 *   the API, next to the same aggregate computed directly from the raw table in the same run;
 * - p95 of the 30-day query grouped by host (100 series);
 * - the compression ratio of BENCH_COMPRESS_DAYS days (raw partitions incl. TOAST and indexes
 *   / the segments they became, incl. TOAST and indexes);
 * - the time to detach and drop one day's partition;
 * - rollup lag: from the last acknowledged point of a burst into a closed hour until the
 *   worker's rollup has consumed its invalidations;
 * - planning time of a series query with 500 daily partitions present.
 * The last line printed is one JSON object with the figures.
 */
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { seriesRows } from '../src/modules/timeseries/series.repository.ts'
import type { DB } from '../src/platform/db.ts'
import { benchDatabase, call, log, percentile as sortedPercentile, signUpWithOrganization, sleep, startTessera } from './harness.ts'

const METRICS = Number(process.env.BENCH_METRICS ?? 10)
const HOSTS = Number(process.env.BENCH_HOSTS ?? 100)
const DAYS = Number(process.env.BENCH_DAYS ?? 14)
const COMPRESS_DAYS = Number(process.env.BENCH_COMPRESS_DAYS ?? 3)
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 20)
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 5)
const API_BATCH = 5_000
const API_BATCHES_PER_CLIENT = 10
const CLIENTS = 4
const DAY_MS = 86_400_000

/** percentile of values in any order. */
const percentile = (values: number[], p: number) => sortedPercentile([...values].sort((a, b) => a - b), p)
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

interface Provisioned {
  orgId: string
  key: string
  metrics: Array<{ id: string; name: string }>
}

/** A user, an organization, an API key (ingest, read) and the metrics, through the API. */
async function provision(base: string): Promise<Provisioned> {
  const { session, orgId } = await signUpWithOrganization(base)
  const key = await call(`${base}/api/v1/orgs/${orgId}/api-keys`, 'POST', { name: 'bench', scopes: ['ingest', 'read'] }, session)
  const metrics = []
  for (let m = 0; m < METRICS; m++) {
    const name = `cpu_${m}`
    const created = await call(`${base}/api/v1/orgs/${orgId}/metrics`, 'POST', { name, displayName: `CPU ${m}`, unit: 'percentage', aggregationType: 'avg' }, session)
    if (created.status !== 201) {
      throw new Error(`creating a metric failed: ${created.status} ${JSON.stringify(created.json)}`)
    }
    metrics.push({ id: String(created.json.id), name })
  }
  return { orgId, key: String(key.json.key), metrics }
}

const host = (h: number) => `h${String(h).padStart(3, '0')}`
/** A deterministic value with 2 decimals: a daily wave per host plus noise. */
const valueAt = (m: number, h: number, minute: number) => (50 + 40 * Math.sin((minute / 1440) * 2 * Math.PI + h) + ((minute * 7919 + h * 31 + m) % 1000) / 100).toFixed(2)

/** One day of points (every series, one a minute) as COPY text, streamed in chunks. */
function* dayRows(orgId: string, metrics: Provisioned['metrics'], dayStart: number): Generator<string> {
  for (let minute = 0; minute < 1440; minute++) {
    const ts = new Date(dayStart + minute * 60_000).toISOString()
    const lines: string[] = []
    for (let m = 0; m < metrics.length; m++) {
      for (let h = 0; h < HOSTS; h++) {
        lines.push(`${ts}\t${metrics[m]!.id}\t${orgId}\t${valueAt(m, h, minute)}\t{"host": "${host(h)}"}\n`)
      }
    }
    yield lines.join('')
  }
}

/** COPY BENCH_DAYS days ending yesterday, two connections in parallel; then the invalidations the write path would have logged. */
async function generate(databaseUrl: string, p: Provisioned, today: number): Promise<{ points: number; seconds: number }> {
  const days = Array.from({ length: DAYS }, (_, d) => today - (DAYS - d) * DAY_MS)
  const started = performance.now()
  const queue = [...days]
  await Promise.all(
    [0, 1].map(async () => {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      for (let day = queue.shift(); day !== undefined; day = queue.shift()) {
        const stream = client.query(copyFrom('copy ts.time_series_data ("timestamp", metric_id, organization_id, value, dimensions) from stdin'))
        await pipeline(Readable.from(dayRows(p.orgId, p.metrics, day)), stream)
      }
      await client.end()
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  for (const metric of p.metrics) {
    await admin.query('insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end) values ($1, $2, $3, $4)', [p.orgId, metric.id, new Date(days[0]!), new Date(today - 1)])
  }
  await admin.query('vacuum analyze ts.time_series_data')
  await admin.end()
  return { points: DAYS * 1440 * METRICS * HOSTS, seconds }
}

/** Runs the rollup function the worker's job calls until nothing is left. */
async function rollUp(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const started = performance.now()
  for (;;) {
    const { rows } = await client.query<{ more: boolean }>('select * from private.refresh_time_series_rollups(1000)')
    if (!rows[0]?.more) {
      break
    }
  }
  await client.query('vacuum analyze ts.aggregated_metrics')
  await client.end()
  return (performance.now() - started) / 1000
}

async function pushPoints(base: string, p: Provisioned, timestampOf: (i: number) => string): Promise<{ points: number; seconds: number; lastAck: number }> {
  let points = 0
  let lastAck = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let b = 0; b < API_BATCHES_PER_CLIENT; b++) {
        const batch = Array.from({ length: API_BATCH }, (_, i) => {
          const n = (c * API_BATCHES_PER_CLIENT + b) * API_BATCH + i
          return { metric: p.metrics[n % p.metrics.length]!.name, timestamp: timestampOf(n), value: (n % 10_000) / 100, dimensions: { host: host(n % HOSTS) } }
        })
        const response = await fetch(`${base}/api/v1/orgs/${p.orgId}/metrics/points`, { method: 'POST', headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' }, body: JSON.stringify(batch) })
        const answer = (await response.json()) as { accepted?: number }
        if (response.status !== 200 || answer.accepted !== API_BATCH) {
          throw new Error(`points refused: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`)
        }
        points += API_BATCH
        lastAck = Date.now()
      }
    }),
  )
  return { points, seconds: (performance.now() - started) / 1000, lastAck }
}

/** Series queries through the API; each run shifts `to` by a second so the query cache never answers. */
async function timeSeriesQueries(base: string, p: Provisioned, metricId: string, days: number, today: number, groupBy?: string): Promise<number[]> {
  const times: number[] = []
  for (let run = 0; run < QUERY_RUNS; run++) {
    const to = new Date(today + run * 1000)
    const from = new Date(today - days * DAY_MS)
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), bucket: '1h', agg: 'avg', ...(groupBy && { groupBy }) })
    const t0 = performance.now()
    const response = await fetch(`${base}/api/v1/orgs/${p.orgId}/metrics/${metricId}/series?${query}`, { headers: { authorization: `Bearer ${p.key}` } })
    const body = (await response.json()) as { points?: unknown[] }
    times.push(performance.now() - t0)
    if (response.status !== 200 || !body.points?.length) {
      throw new Error(`series query failed: ${response.status} ${JSON.stringify(body).slice(0, 300)}`)
    }
  }
  return times
}

/** The same 1-hour avg aggregate straight from the raw table. */
async function rawQueries(databaseUrl: string, metricId: string, days: number, today: number): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const times: number[] = []
  for (let run = 0; run < RAW_RUNS; run++) {
    const t0 = performance.now()
    await client.query(
      `select date_bin('1 hour', "timestamp", timestamptz '2000-01-01') as t, avg(value), count(*), min(value), max(value)
         from ts.time_series_data where metric_id = $1 and "timestamp" >= $2 and "timestamp" < $3 group by 1 order by 1`,
      [metricId, new Date(today - days * DAY_MS), new Date(today + run * 1000)],
    )
    times.push(performance.now() - t0)
  }
  await client.end()
  return times
}

/** Raw bytes of the oldest days' partitions against the segments they are compressed into. */
async function compress(databaseUrl: string, today: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const days = Array.from({ length: COMPRESS_DAYS }, (_, d) => new Date(today - (DAYS - d) * DAY_MS).toISOString().slice(0, 10))
  const { rows: before } = await client.query<{ bytes: string }>(
    `select coalesce(sum(pg_total_relation_size(partition_table::regclass)), 0)::text as bytes from ops.partitions
      where parent_table = 'ts.time_series_data' and state = 'attached' and range_start::date = any($1::date[])`, [days])
  const segmentsBefore = await client.query<{ bytes: string }>("select pg_total_relation_size('ts.time_series_segments')::text as bytes")
  for (const day of days) {
    await client.query('select * from ops.compress_time_series_day($1::date, 1, now(), false)', [day])
  }
  await client.query('vacuum analyze ts.time_series_segments')
  const segmentsAfter = await client.query<{ bytes: string }>("select pg_total_relation_size('ts.time_series_segments')::text as bytes")
  await client.end()
  const compressed = Number(segmentsAfter.rows[0]!.bytes) - Number(segmentsBefore.rows[0]!.bytes)
  return Number(before[0]!.bytes) / compressed
}

/**
 * Detaches and drops the oldest raw day still attached and holding its points (1.44M by
 * default). The days the compression step just emptied are skipped: autovacuum is busy on
 * them after 1.44M deletes each, and DETACH ... CONCURRENTLY then waits deadlock_timeout (1 s)
 * for the autovacuum worker to be cancelled; retention meets partitions nobody has written to
 * for years.
 */
async function dropOneDay(databaseUrl: string, today: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const { rows } = await client.query<{ partition_table: string }>(
    `select p.partition_table from ops.partitions p where p.parent_table = 'ts.time_series_data' and p.state = 'attached'
        and p.range_start >= $1 and exists (select 1 from pg_class c where c.oid = to_regclass(p.partition_table) and c.reltuples > 0)
      order by p.range_start limit 1`, [new Date(today - (DAYS - COMPRESS_DAYS) * DAY_MS)])
  const partition = rows[0]!.partition_table
  const t0 = performance.now()
  await client.query(`alter table ts.time_series_data detach partition ${partition} concurrently`)
  await client.query(`drop table ${partition}`)
  const ms = performance.now() - t0
  await client.query("update ops.partitions set state = 'dropped', changed_at = now() where partition_table = $1", [partition])
  await client.end()
  return ms
}

/**
 * Planning time of the engine's own statement for a one-metric, 7-day, 1-hour series once 500
 * daily partitions exist: the statement seriesRows sends is captured once, then planned with
 * EXPLAIN (SUMMARY) as the runtime role inside the organization (row-level security on).
 */
async function planningTime(databaseUrl: string, orgId: string, metricId: string, today: number): Promise<{ ms: number; partitions: number }> {
  const owner = new pg.Client({ connectionString: databaseUrl })
  await owner.connect()
  await owner.query("select ops.ensure_partitions('ts.time_series_data', 'day', 7, 492)")
  const { rows: count } = await owner.query<{ n: number }>("select count(*)::int as n from pg_inherits where inhparent = 'ts.time_series_data'::regclass")
  const { rows: members } = await owner.query<{ user_id: string }>('select user_id from app.organization_members where organization_id = $1 limit 1', [orgId])
  await owner.end()
  let captured: CompiledQuery | undefined
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  // An idle client ended by the server (the scratch database is dropped with FORCE at the end)
  // must not crash the run: pg emits that on the pool.
  pool.on('error', (error) => log(`planning pool: ${error.message}`))
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' && event.query.sql.includes('with pending')) captured = event.query
    },
  })
  const asMember = <T>(fn: (trx: Transaction<DB>) => Promise<T>) =>
    db.transaction().execute(async (trx) => {
      await sql`set local role tessera_app`.execute(trx)
      await sql`select set_config('app.user_id', ${members[0]!.user_id}, true), set_config('app.org_id', ${orgId}, true)`.execute(trx)
      return fn(trx)
    })
  const times: number[] = []
  for (let run = 0; run < 20; run++) {
    const q = { orgId, metricId, from: new Date(today - 7 * DAY_MS), to: new Date(today + run * 1000), bucket: '1h' as const, tz: 'UTC', agg: 'avg' as const, filter: {} }
    await asMember((trx) => seriesRows(trx, q))
    const statement = captured!
    const plan = await asMember((trx) => trx.executeQuery<{ 'QUERY PLAN': Array<{ 'Planning Time': number }> }>(
      CompiledQuery.raw(`explain (format json, summary) ${statement.sql}`, [...statement.parameters])))
    times.push(plan.rows[0]!['QUERY PLAN'][0]!['Planning Time'])
  }
  await db.destroy()
  return { ms: percentile(times, 50), partitions: count[0]!.n }
}

async function rollupLag(databaseUrl: string, lastAck: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    for (;;) {
      const { rows } = await client.query<{ n: number }>("select count(*)::int as n from ts.rollup_invalidations where range_end < date_trunc('hour', now(), 'UTC')")
      if (rows[0]!.n === 0) {
        return (Date.now() - lastAck) / 1000
      }
      if (Date.now() - lastAck > 600_000) {
        throw new Error('the rollup did not catch up within 10 minutes')
      }
      await sleep(500)
    }
  } finally {
    await client.end()
  }
}

async function main(): Promise<void> {
  const database = await benchDatabase()
  const { tmp, url: databaseUrl } = database
  let tessera: ChildProcess | undefined
  try {
    log(`PostgreSQL: ${database.where}; ${METRICS} metrics × ${HOSTS} hosts × ${DAYS} days, a point a minute`)
    const started = await startTessera('start', databaseUrl, path.join(tmp, 'home'))
    tessera = started.child
    const p = await provision(started.url)
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS

    const generated = await generate(databaseUrl, p, today)
    log(`generated ${generated.points} points with COPY in ${round(generated.seconds)} s`)
    log(`rollups brought up to date in ${round(await rollUp(databaseUrl))} s`)

    // A burst into the previous (closed) hour: the worker's ts:rollup must pick it up.
    const hourAgo = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000
    const burst = await pushPoints(started.url, p, (n) => new Date(hourAgo + (n % 3_600_000)).toISOString())
    const ingestRate = burst.points / burst.seconds
    log(`points API: ${burst.points} points in ${round(burst.seconds, 2)} s = ${Math.round(ingestRate)} points/s`)
    const lag = await rollupLag(databaseUrl, burst.lastAck)
    log(`rollup lag after the burst: ${round(lag)} s`)

    const metricId = p.metrics[0]!.id
    const s7 = await timeSeriesQueries(started.url, p, metricId, 7, today)
    const s30 = await timeSeriesQueries(started.url, p, metricId, 30, today)
    const g30 = await timeSeriesQueries(started.url, p, metricId, 30, today, 'host')
    const r30 = await rawQueries(databaseUrl, metricId, 30, today)
    log(`series 7 d:  p50 ${round(percentile(s7, 50))} ms, p95 ${round(percentile(s7, 95))} ms`)
    log(`series 30 d: p50 ${round(percentile(s30, 50))} ms, p95 ${round(percentile(s30, 95))} ms; raw SQL p50 ${round(percentile(r30, 50))} ms, p95 ${round(percentile(r30, 95))} ms`)
    log(`series 30 d grouped by host (${HOSTS} series): p50 ${round(percentile(g30, 50))} ms, p95 ${round(percentile(g30, 95))} ms`)

    const ratio = await compress(databaseUrl, today)
    log(`compression of ${COMPRESS_DAYS} days: ${round(ratio)}×`)
    const dropMs = await dropOneDay(databaseUrl, today)
    log(`detach and drop one day: ${round(dropMs)} ms`)
    const planning = await planningTime(databaseUrl, p.orgId, metricId, today)
    log(`planning with ${planning.partitions} partitions: ${round(planning.ms, 2)} ms`)

    log(JSON.stringify({
      points: generated.points + burst.points,
      ingest_points_per_s: Math.round(ingestRate),
      series_p95_ms_7d: round(percentile(s7, 95)),
      series_p95_ms_30d: round(percentile(s30, 95)),
      raw_p95_ms_30d: round(percentile(r30, 95)),
      speedup_30d: round(percentile(r30, 95) / percentile(s30, 95)),
      grouped100_p95_ms_30d: round(percentile(g30, 95)),
      compression_ratio: round(ratio),
      drop_day_ms: round(dropMs),
      rollup_lag_s: round(lag),
      planning_ms: round(planning.ms, 2),
    }))
  } finally {
    tessera?.kill('SIGKILL')
    await database.dispose()
  }
}

await main()
