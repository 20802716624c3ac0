import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { bucketSql, type Aggregation, type Bucket } from './series.buckets.ts'

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

const HOUR = sql`interval '1 hour'`
const DAY = sql`interval '24 hours'`
const TICK = sql`interval '1 microsecond'`

/**
 * One statement, so one snapshot, answers a metric series from four stores:
 * - rollups: UTC days, then UTC hours, lying wholly inside [from, min(to, watermark)), inside a
 *   single output bucket, and overlapped by no pending invalidation (they are exact then, see
 *   db/migrations/0120);
 * - raw partitions and the late table, for everything else (the "raw set", a multirange);
 * - compressed segments inside the raw set: their whole-day aggregates when the UTC day lies in
 *   the raw set and in one bucket, their decoded points otherwise.
 * Each part yields partial states (sum, count, min, max) merged per bucket, so avg is sum/count.
 * Every scan of the partitioned table carries the bound parameters from/to (partition pruning).
 */
export async function seriesRows(db: Db, q: SeriesQuery): Promise<SeriesRow[]> {
  const bucket = bucketSql(q.bucket, q.tz)
  const same = (lo: RawBuilder<unknown>, length: RawBuilder<unknown>) => sql`${bucket(lo)} = ${bucket(sql`${lo} + ${length} - ${TICK}`)}`
  const filter = JSON.stringify(q.filter)
  const grp = (dims: RawBuilder<unknown>) => (q.groupBy ? sql`${dims} ->> ${q.groupBy}` : sql`null::text`)
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
  // The planner's row estimates for the multirange pieces are far too high, which switches on
  // JIT: compiling this statement took 2 s of a 2.05 s answer on 20M points (49 ms without).
  // Series queries are short; JIT never pays off for them. `set local`: this transaction only.
  await sql`set local jit = off`.execute(db)
  const { rows } = await sql<SeriesRow>`
    with pending as (
      select i.range_start, i.range_end from ts.rollup_invalidations i
       where i.organization_id = ${q.orgId} and i.metric_id = ${q.metricId} and i.range_start < ${to} and i.range_end >= ${from}
    ), bounds as (
      select least(${to}, (select w.watermark from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics')) as rollup_to
    ), days as (
      select d as lo from bounds, generate_series(date_trunc('day', ${from}, 'UTC'), ${to}, ${DAY}) d
       where d >= ${from} and d + ${DAY} <= bounds.rollup_to and ${same(sql`d`, DAY)}
         and not exists (select 1 from pending p where p.range_start < d + ${DAY} and p.range_end >= d)
    ), hours as (
      select h as lo from bounds, generate_series(date_trunc('hour', ${from}, 'UTC'), ${to}, ${HOUR}) h
       where h >= ${from} and h + ${HOUR} <= bounds.rollup_to and ${same(sql`h`, HOUR)}
         and not exists (select 1 from pending p where p.range_start < h + ${HOUR} and p.range_end >= h)
         and not exists (select 1 from days where h >= days.lo and h < days.lo + ${DAY})
    ), rawset as (
      select tstzmultirange(tstzrange(${from}, ${to})) - coalesce(
        (select range_agg(tstzrange(x.lo, x.hi)) from (select lo, lo + ${DAY} as hi from days union all select lo, lo + ${HOUR} from hours) x),
        '{}'::tstzmultirange) as r
    ), parts as (
      select 'rollup' as src, ${bucket(sql`m.time_bucket`)} as t, ${grp(sql`m.dimensions`)} as g, m.sum_value as s, m.count::bigint as n, m.min_value as mn, m.max_value as mx
        from ts.aggregated_metrics m
       where m.organization_id = ${q.orgId} and m.metric_id = ${q.metricId} and m.dimensions @> ${filter}::jsonb
         and ((m.aggregation_level = 'day' and m.time_bucket in (select lo from days))
           or (m.aggregation_level = 'hour' and m.time_bucket in (select lo from hours)))
      union all
      -- One index range scan per piece of the raw set (usually the open hour and the ragged
      -- edges), not a scan of [from, to) filtered row by row: the rollups cover the rest.
      -- LATERAL subqueries kept apart by "offset 0": the pieces drive index scans (otherwise,
      -- under row-level security, the planner scanned every partition of [from, to) and joined
      -- the pieces afterwards: 1.4 s instead of milliseconds on 2M points).
      select 'raw', ${bucket(sql`d.ts`)}, ${grp(sql`d.dimensions`)}, d.value, 1, d.value, d.value
        from rawset cross join lateral unnest(rawset.r) as piece(rg)
        cross join lateral (
          select r."timestamp" as ts, r.dimensions, r.value from ts.time_series_data r
           where r.organization_id = ${q.orgId} and r.metric_id = ${q.metricId} and r."timestamp" >= ${from} and r."timestamp" < ${to}
             and r."timestamp" >= lower(piece.rg) and r."timestamp" < upper(piece.rg) and r.dimensions @> ${filter}::jsonb offset 0) d
      union all
      select 'raw', ${bucket(sql`l.ts`)}, ${grp(sql`l.dimensions`)}, l.value, 1, l.value, l.value
        from rawset cross join lateral unnest(rawset.r) as piece(rg)
        cross join lateral (
          select r."timestamp" as ts, r.dimensions, r.value from ts.time_series_late r
           where r.organization_id = ${q.orgId} and r.metric_id = ${q.metricId} and r."timestamp" >= ${from} and r."timestamp" < ${to}
             and r."timestamp" >= lower(piece.rg) and r."timestamp" < upper(piece.rg) and r.dimensions @> ${filter}::jsonb offset 0) l
      union all
      select 'compressed', ${bucket(dayStart)}, ${grp(sql`s.dimensions`)}, s.sum_value, s.point_count, s.min_value, s.max_value
        from ts.time_series_segments s, rawset
       where s.organization_id = ${q.orgId} and s.metric_id = ${q.metricId} and s.dimensions @> ${filter}::jsonb
         and s.day between (${from} at time zone 'UTC')::date and (${to} at time zone 'UTC')::date
         and tstzrange(${dayStart}, ${dayStart} + ${DAY}) <@ rawset.r and ${same(dayStart, DAY)}
      union all
      select 'compressed', ${bucket(sql`sp."timestamp"`)}, ${grp(sql`s.dimensions`)}, sp.value, 1, sp.value, sp.value
        from ts.time_series_segments s cross join rawset cross join lateral ts.segment_points(s.first_ts, s.ts_deltas, s."values") sp
       where s.organization_id = ${q.orgId} and s.metric_id = ${q.metricId} and s.dimensions @> ${filter}::jsonb
         and s.day between (${from} at time zone 'UTC')::date and (${to} at time zone 'UTC')::date
         and not (tstzrange(${dayStart}, ${dayStart} + ${DAY}) <@ rawset.r and ${same(dayStart, DAY)})
         and sp."timestamp" >= ${from} and sp."timestamp" < ${to} and sp."timestamp" <@ rawset.r
    ), top as (
      select g from parts group by g order by sum(n) desc, g nulls last limit ${TOP_GROUPS}
    ), labelled as (
      select p.*, case when ${q.groupBy === undefined} or exists (select 1 from top where top.g is not distinct from p.g) then p.g else 'other' end as label
        from parts p
    )
    select t, label as grp, ${value} as value, sum(n)::text as count, min(mn)::float8 as min, max(mx)::float8 as max, array_agg(distinct src) as sources
      from labelled
     group by t, label
     order by t, label nulls first`.execute(db)
  return rows
}

/** Whether a metric exists in the organization (RLS hides other organizations' as well). */
export async function findMetric(db: Db, orgId: string, metricId: string): Promise<{ id: string; aggregation_type: string } | undefined> {
  return db.selectFrom('app.metrics').select(['id', 'aggregation_type']).where('organization_id', '=', orgId).where('id', '=', metricId).executeTakeFirst()
}
