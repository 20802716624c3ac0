import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { BUCKETS, bucketSql, type Aggregation, type Bucket } from './series.buckets.ts'

export interface SeriesQuery {
  orgId: string
  metricId: string
  from: Date
  to: Date
  bucket: Bucket
  tz: string
  agg: Aggregation
  groupBy?: string | undefined
  filter: Record<string, string>
}

export interface SeriesRow {
  t: Date
  grp: string | null
  value: number | null
  count: string
  min: number | null
  max: number | null
  sources: string[]
}

/** Groups kept by name when grouping; the rest are merged into "other". */
export const TOP_GROUPS = 20

const DAY = sql`interval '24 hours'`
const TICK = sql`interval '1 microsecond'`

type Expr = RawBuilder<unknown>

/**
 * The rollup levels of ts.aggregated_metrics (db/migrations/0150), coarsest first. `first`
 * gives the first UTC-aligned bucket at or before a time, `series` the bucket starts from
 * there to a bound, `end` a bucket's end. Months step in UTC wall time (a calendar month
 * whatever the session's time zone); the other lengths are fixed.
 */
const LEVELS: Array<{
  level: string
  /** minute rows: totals only, from minute_level_from on (0150) */
  totalsOnly: boolean
  /** Output buckets a row of this level can lie inside: no shorter ones (fewer CTEs to plan). */
  buckets: readonly Bucket[]
  series: (lo: Expr, hi: Expr) => Expr
  end: (lo: Expr) => Expr
}> = [
  {
    level: 'month',
    totalsOnly: false,
    buckets: ['1mo'],
    series: (lo, hi) => sql`(select g at time zone 'UTC' from generate_series(date_trunc('month', ${lo} at time zone 'UTC'), ${hi} at time zone 'UTC', interval '1 month') g)`,
    end: (lo) => sql`((${lo} at time zone 'UTC') + interval '1 month') at time zone 'UTC'`,
  },
  fixed('week', 'week', '168 hours', ['1w', '1mo']),
  fixed('day', 'day', '24 hours', ['1d', '1w', '1mo']),
  fixed('hour', 'hour', '1 hour', ['1h', '1d', '1w', '1mo']),
  { ...fixed('minute', 'minute', '1 minute', BUCKETS), totalsOnly: true },
]

function fixed(level: string, unit: string, length: string, buckets: readonly Bucket[]) {
  const step = sql.raw(`interval '${length}'`)
  return {
    level,
    totalsOnly: false,
    buckets,
    series: (lo: Expr, hi: Expr) => sql`(select g from generate_series(date_trunc(${unit}, ${lo}, 'UTC'), ${hi}, ${step}) g)`,
    end: (lo: Expr) => sql`${lo} + ${step}`,
  }
}

/**
 * One statement, so one snapshot, answers a metric series from four stores:
 * - rollups (month, week, day, hour, minute rows, coarsest first) lying wholly inside
 *   [from, min(to, watermark)), inside a single output bucket, and overlapped by no pending
 *   invalidation (they are exact then, see db/migrations/0120); without groupBy or filter the
 *   metric's totals (dimensions null), else the per-series rows;
 * - raw partitions and the late table, for everything else (the "raw set", a multirange);
 * - compressed segments inside the raw set: their whole-day aggregates when the UTC day lies in
 *   the raw set and in one bucket, their decoded points otherwise.
 * Each part yields partial states (sum, count, min, max) merged per bucket, so avg is sum/count.
 * Every scan of the partitioned table carries the bound parameters from/to (partition pruning).
 */
export async function seriesRows(db: Db, q: SeriesQuery): Promise<SeriesRow[]> {
  const bucket = bucketSql(q.bucket, q.tz)
  const same = (lo: Expr, hi: Expr) => sql`${bucket(lo)} = ${bucket(sql`${hi} - ${TICK}`)}`
  const totals = q.groupBy === undefined && Object.keys(q.filter).length === 0
  const filter = JSON.stringify(q.filter)
  const grp = (dims: Expr) => (q.groupBy ? sql`${dims} ->> ${q.groupBy}` : sql`null::text`)
  const from = sql`${q.from}::timestamptz`
  const to = sql`${q.to}::timestamptz`
  const dayStart = sql`(s.day::timestamp at time zone 'UTC')`
  const value = {
    sum: sql`sum(s)::float8`,
    count: sql`sum(n)::float8`,
    avg: sql`(sum(s) / sum(n))::float8`,
    min: sql`min(mn)::float8`,
    max: sql`max(mx)::float8`,
  }[q.agg]
  // Each level covers what the coarser ones left of [from, rollup_to): rest_i is that remainder
  // (a multirange), c_i the level's usable buckets inside it.
  const levels = LEVELS.filter((l) => (totals || !l.totalsOnly) && l.buckets.includes(q.bucket))
  const cascade = levels.map((l, i) => {
    const rest = sql.raw(`rest_${i}`)
    const chosen = sql.raw(`c_${i}`)
    const next = sql.raw(`rest_${i + 1}`)
    return sql`${chosen} as (
      select ${l.level}::text as level, x.lo, x.hi
        from ${rest} cross join lateral unnest(${rest}.r) as piece(rg)
        cross join lateral (select g.lo, ${l.end(sql`g.lo`)} as hi from ${l.series(sql`lower(piece.rg)`, sql`upper(piece.rg)`)} as g(lo)) x
       where x.lo >= lower(piece.rg) and x.hi <= upper(piece.rg) and ${same(sql`x.lo`, sql`x.hi`)}
         and not exists (select 1 from pending p where p.range_start < x.hi and p.range_end >= x.lo)
         ${l.totalsOnly ? sql`and x.lo >= (select w.minute_level_from from w)` : sql``}
    ), ${next} as (
      select ${rest}.r - coalesce((select range_agg(tstzrange(c.lo, c.hi)) from ${chosen} c), '{}'::tstzmultirange) as r from ${rest}
    )`
  })
  // No level fits (e.g. 1-minute buckets of a grouped query): everything is read raw.
  const chosen = levels.length === 0
    ? sql`select null::text as level, null::timestamptz as lo, null::timestamptz as hi where false`
    : sql.join(levels.map((_, i) => sql`select * from ${sql.raw(`c_${i}`)}`), sql` union all `)
  const rollupRows = totals ? sql`m.dimensions is null` : sql`m.dimensions is not null and m.dimensions @> ${filter}::jsonb`
  // Grouped: the top groups are ranked once (materialized: inlined, the ranking ran again for
  // every row, 1.1 s for 30 days of 100 series), then joined by hash to label each row.
  const labelled = q.groupBy
    ? sql`top as materialized (
        select g from parts group by g order by sum(n) desc, g nulls last limit ${TOP_GROUPS}
      ), labelled as (
        select p.*, case when k.g is not null or (p.g is null and (select bool_or(x.g is null) from top x)) then p.g else 'other' end as label
          from parts p left join top k on k.g = p.g
      )`
    : sql`labelled as (select p.*, p.g as label from parts p)`
  /** The points of `table` (raw partitions or the late table) inside the pieces of the raw set. */
  const rawPieces = (table: Expr) => sql`
      select 'raw', ${bucket(sql`d.ts`)}, ${grp(sql`d.dimensions`)}, d.value, 1, d.value, d.value
        from rawset cross join lateral unnest(rawset.r) as piece(rg)
        cross join lateral (
          select r."timestamp" as ts, r.dimensions, r.value from ${table} r
           where r.organization_id = ${q.orgId} and r.metric_id = ${q.metricId} and r."timestamp" >= ${from} and r."timestamp" < ${to}
             and r."timestamp" >= lower(piece.rg) and r."timestamp" < upper(piece.rg) and r.dimensions @> ${filter}::jsonb offset 0) d`
  // The planner's row estimates for the multirange pieces are far too high, which switches on
  // JIT: compiling this statement took 2 s of a 2.05 s answer on 20M points (49 ms without).
  // Series queries are short; JIT never pays off for them. is_local: this transaction only.
  // work_mem: a grouped month of 100 series is ~34k partial rows, which spilled to disk at the
  // default 4 MB; the setting is transaction-local and bounds this statement's sorts and hashes.
  await sql`select set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`.execute(db)
  const { rows } = await sql<SeriesRow>`
    with pending as (
      select i.range_start, i.range_end from ts.rollup_invalidations i
       where i.organization_id = ${q.orgId} and i.metric_id = ${q.metricId} and i.range_start < ${to} and i.range_end >= ${from}
    ), w as (
      select least(${to}, w.watermark) as rollup_to, w.minute_level_from from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics'
    ), rest_0 as (
      select case when w.rollup_to > ${from} then tstzmultirange(tstzrange(${from}, w.rollup_to)) else '{}'::tstzmultirange end as r from w
    ), ${levels.length === 0 ? sql`` : sql`${sql.join(cascade, sql`, `)},`} chosen as (
      ${chosen}
    ), rawset as (
      select tstzmultirange(tstzrange(${from}, ${to})) - coalesce((select range_agg(tstzrange(c.lo, c.hi)) from chosen c), '{}'::tstzmultirange) as r
    ), parts as (
      select 'rollup' as src, ${bucket(sql`m.time_bucket`)} as t, ${grp(sql`m.dimensions`)} as g, m.sum_value as s, m.count::bigint as n, m.min_value as mn, m.max_value as mx
        from chosen c join ts.aggregated_metrics m
          on m.metric_id = ${q.metricId} and m.aggregation_level = c.level and m.time_bucket = c.lo
       where m.organization_id = ${q.orgId} and ${rollupRows}
      union all
      -- One index range scan per piece of the raw set (usually the open hour and the ragged
      -- edges), not a scan of [from, to) filtered row by row: the rollups cover the rest.
      -- LATERAL subqueries kept apart by "offset 0": the pieces drive index scans (otherwise,
      -- under row-level security, the planner scanned every partition of [from, to) and joined
      -- the pieces afterwards: 1.4 s instead of milliseconds on 2M points).
      ${rawPieces(sql`ts.time_series_data`)}
      union all
      ${rawPieces(sql`ts.time_series_late`)}
      union all
      select 'compressed', ${bucket(dayStart)}, ${grp(sql`s.dimensions`)}, s.sum_value, s.point_count, s.min_value, s.max_value
        from ts.time_series_segments s, rawset
       where s.organization_id = ${q.orgId} and s.metric_id = ${q.metricId} and s.dimensions @> ${filter}::jsonb
         and s.day between (${from} at time zone 'UTC')::date and (${to} at time zone 'UTC')::date
         and tstzrange(${dayStart}, ${dayStart} + ${DAY}) <@ rawset.r and ${same(dayStart, sql`${dayStart} + ${DAY}`)}
      union all
      select 'compressed', ${bucket(sql`sp."timestamp"`)}, ${grp(sql`s.dimensions`)}, sp.value, 1, sp.value, sp.value
        from ts.time_series_segments s cross join rawset cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp
       where s.organization_id = ${q.orgId} and s.metric_id = ${q.metricId} and s.dimensions @> ${filter}::jsonb
         and s.day between (${from} at time zone 'UTC')::date and (${to} at time zone 'UTC')::date
         and not (tstzrange(${dayStart}, ${dayStart} + ${DAY}) <@ rawset.r and ${same(dayStart, sql`${dayStart} + ${DAY}`)})
         and sp."timestamp" >= ${from} and sp."timestamp" < ${to} and sp."timestamp" <@ rawset.r
    ), ${labelled}
    select t, label as grp, ${value} as value, sum(n)::text as count, min(mn)::float8 as min, max(mx)::float8 as max,
           -- Flags, not array_agg(distinct src): a distinct aggregate sorts inside every group.
           array_remove(array[case when bool_or(src = 'rollup') then 'rollup' end, case when bool_or(src = 'raw') then 'raw' end,
                              case when bool_or(src = 'compressed') then 'compressed' end], null) as sources
      from labelled
     group by t, label
     order by t, label nulls first`.execute(db)
  return rows
}
