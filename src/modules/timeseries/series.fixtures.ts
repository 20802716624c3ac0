import pg from 'pg'

/** Test plumbing for the series engine: points written straight with SQL, as the write path and the compressor would. */

export interface Point {
  ts: Date
  value: string
  dims: Record<string, string>
}

/** mulberry32: a seeded PRNG, so a failing property run reproduces from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Daily partitions of ts.time_series_data from `behind` days back to 2 ahead, as partitions:maintain creates them. */
export async function ensurePointPartitions(ownerUrl: string, behind = 30): Promise<void> {
  const owner = new pg.Client({ connectionString: ownerUrl })
  await owner.connect()
  try {
    await owner.query("select ops.ensure_partitions('ts.time_series_data', 'day', 2, $1)", [behind])
  } finally {
    await owner.end()
  }
}

export async function createMetric(admin: pg.Client, orgId: string, name: string, aggregationType = 'sum'): Promise<string> {
  const { rows } = await admin.query<{ id: string }>(
    'insert into app.metrics (organization_id, name, display_name, aggregation_type) values ($1, $2, $2, $3) returning id',
    [orgId, name, aggregationType],
  )
  return rows[0]!.id
}

/** One ingest batch into ts.time_series_data or ts.time_series_late, with its invalidation row, in one transaction. */
export async function insertBatch(admin: pg.Client, orgId: string, metricId: string, points: Point[], table: 'data' | 'late' = 'data'): Promise<void> {
  if (points.length === 0) {
    return
  }
  await admin.query('begin')
  try {
    await admin.query(
      `insert into ts.time_series_${table} ("timestamp", metric_id, organization_id, value, dimensions)
       select t, $1, $2, v, d from unnest($3::timestamptz[], $4::numeric[], $5::jsonb[]) as p(t, v, d)`,
      [metricId, orgId, points.map((p) => p.ts.toISOString()), points.map((p) => p.value), points.map((p) => JSON.stringify(p.dims))],
    )
    await invalidate(admin, orgId, metricId, points)
    await admin.query('commit')
  } catch (error) {
    await admin.query('rollback')
    throw error
  }
}

export async function invalidate(admin: pg.Client, orgId: string, metricId: string, points: Point[]): Promise<void> {
  const times = points.map((p) => p.ts.getTime())
  await admin.query('insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end) values ($1, $2, $3, $4)', [
    orgId,
    metricId,
    new Date(Math.min(...times)),
    new Date(Math.max(...times)),
  ])
}

/**
 * Compressed segments the way the compressor encodes them: per UTC day and dimensions set,
 * points ordered by time, first_ts the first timestamp, deltas in microseconds (the first one
 * 0), values in the same order. The invalidation stands for the original ingest of these points.
 */
export async function insertSegments(admin: pg.Client, orgId: string, metricId: string, points: Point[]): Promise<void> {
  const series = new Map<string, Point[]>()
  for (const point of points) {
    const key = `${point.ts.toISOString().slice(0, 10)}|${JSON.stringify(point.dims)}`
    series.set(key, [...(series.get(key) ?? []), point])
  }
  for (const [key, list] of series) {
    const sorted = [...list].sort((a, b) => a.ts.getTime() - b.ts.getTime())
    const deltas = sorted.map((p, i) => (i === 0 ? 0 : (p.ts.getTime() - sorted[i - 1]!.ts.getTime()) * 1000))
    await admin.query(
      `insert into ts.time_series_segments (organization_id, metric_id, day, dimensions, point_count, first_ts, last_ts, ts_deltas, "values", sum_value, min_value, max_value)
       select $1, $2, $3::date, $4::jsonb, cardinality($7::numeric[]), $5, $6, $8::bigint[], $7::numeric[],
              (select sum(v) from unnest($7::numeric[]) v), (select min(v) from unnest($7::numeric[]) v), (select max(v) from unnest($7::numeric[]) v)`,
      [orgId, metricId, key.slice(0, 10), key.slice(11), sorted[0]!.ts, sorted.at(-1)!.ts, sorted.map((p) => p.value), deltas],
    )
  }
  await invalidate(admin, orgId, metricId, points)
}

export interface RefQuery {
  from: Date
  to: Date
  bucket: string
  tz: string
  groupBy?: string
  filter?: Record<string, string>
}

const FIXED: Record<string, string> = { '1m': '1 minute', '5m': '5 minutes', '15m': '15 minutes', '1h': '1 hour' }
const CALENDAR: Record<string, string> = { '1d': 'day', '1w': 'week', '1mo': 'month' }

export interface RefRow {
  t: string
  grp: string | null
  sum: number
  count: number
  avg: number
  min: number
  max: number
}

/** The plain SQL aggregate over every point of the metric, segments decoded with ts.segment_points. */
export async function reference(admin: pg.Client, metricId: string, q: RefQuery): Promise<RefRow[]> {
  const bucket = FIXED[q.bucket] ? `date_bin('${FIXED[q.bucket]}'::interval, p.ts, timestamptz '2000-01-01 00:00:00+00')` : `date_trunc('${CALENDAR[q.bucket]}', p.ts, $4::text)`
  const { rows } = await admin.query<RefRow>(
    `with p as (
       select "timestamp" as ts, value, dimensions from ts.time_series_data where metric_id = $1
       union all select "timestamp", value, dimensions from ts.time_series_late where metric_id = $1
       union all select sp."timestamp", sp.value, s.dimensions from ts.time_series_segments s, ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp where s.metric_id = $1)
     select ${bucket} as t, case when $5::text is null then null else p.dimensions ->> $5 end as grp,
            sum(value)::float8 as sum, count(*)::int as count, avg(value)::float8 as avg, min(value)::float8 as min, max(value)::float8 as max
       from p where p.ts >= $2 and p.ts < $3 and p.dimensions @> $6::jsonb and $4::text is not null
      group by 1, 2 order by 1, 2 nulls first`,
    [metricId, q.from, q.to, q.tz, q.groupBy ?? null, JSON.stringify(q.filter ?? {})],
  )
  return rows.map((row) => ({ ...row, t: new Date(row.t).toISOString() }))
}
