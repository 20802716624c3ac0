import { performance } from 'node:perf_hooks'
import { Type, type Static } from '@sinclair/typebox'
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { ROLLUP_NAME, pipelineExists } from '../pipeline-data/pipeline-data.repository.ts'
import { rollupWatermark } from '../pipeline-data/record-hours.ts'
import { compressedRows } from '../pipeline-data/segments.ts'
import { recordTimePruning } from '../pipeline-data/stored-rows.ts'
import { bucketSql } from './series.buckets.ts'
import { logQuery } from './series.cache.ts'
import { TOP_GROUPS, type SeriesQuery, type SeriesRow } from './series.repository.ts'
import { SeriesQuerystring, type SeriesResponse } from './series.schema.ts'
import { normalize, toResponse } from './series.service.ts'

/**
 * The series engine over a pipeline's stored records: the numeric values of one field of
 * ingest.pipeline_data, bucketed by record_time. Records are read raw (no rollup keeps field
 * values) from the partitions and from the compressed segments of older days, in one statement;
 * the scan uses idx_pipeline_data_record_time. JSON numbers count, other values not.
 *
 * Partitions are by ingested_at while the query filters on record_time: the closed partitions
 * whose recorded record_time range for this pipeline misses the query's are left out by bound
 * ingested_at predicates (recordTimePruning), so the planner does not scan them; segments are
 * skipped by their own min/max record_time.
 *
 * Record counts per bucket of whole hours (the count widgets) read the record-hour rollup
 * instead (countStatement), the raw rows only for the hours it has not counted yet.
 */

export const PipelineSeriesQuerystring = Type.Composite(
  [
    Type.Omit(SeriesQuerystring, ['filter']),
    Type.Object({
      field: Type.Optional(
        Type.String({ minLength: 1, maxLength: 200, description: 'A top-level key, or a dotted path into nested objects (a.b.c); without it, records are counted' }),
      ),
    }),
  ],
  { additionalProperties: false },
)
export type PipelineSeriesQuerystring = Static<typeof PipelineSeriesQuerystring>

export function fieldPath(field: string, name = 'field'): string[] {
  const path = field.replace(/^\$\./, '').split('.')
  if (path.some((part) => part === '')) {
    throw new AppError('validation_failed', 400, `${name} must be a key or a dotted path such as a.b`, { details: [{ field: `querystring.${name}`, message: 'empty path segment' }] })
  }
  return path
}

export async function pipelineSeries(db: Db, actor: OrgActor, pipelineId: string, input: PipelineSeriesQuerystring): Promise<SeriesResponse> {
  const started = performance.now()
  if (!(await pipelineExists(db, actor.orgId, pipelineId))) {
    throw notFound('pipeline')
  }
  const q = normalize(actor.orgId, pipelineId, input, input.field === undefined ? 'count' : 'sum')
  const path = input.field === undefined ? undefined : fieldPath(input.field)
  const groupPath = input.groupBy === undefined ? undefined : fieldPath(input.groupBy, 'groupBy')
  // Short analytical queries: JIT compilation costs more than it saves (see series.repository.ts).
  await sql`set local jit = off`.execute(db)
  const rows = await seriesRowsOf(db, pipelineId, q, path, groupPath)
  const { rows: now } = await sql<{ at: Date }>`select statement_timestamp() as at`.execute(db)
  const answer = toResponse(q, rows, now[0]?.at ?? new Date())
  await logQuery(db, { orgId: actor.orgId, kind: 'pipeline_series', pipelineId, executionMs: performance.now() - started, rows: answer.points.length, cacheHit: false, source: answer.source })
  return { ...answer, cache: 'miss' }
}

/** Counts come from pipeline_record_hours when they can (see countStatement), else from the raw rows. */
async function seriesRowsOf(db: Db, pipelineId: string, q: SeriesQuery, path?: string[], groupPath?: string[]): Promise<SeriesRow[]> {
  const hours = path || groupPath ? undefined : wholeHours(q)
  if (hours) {
    const { rows } = await (await countStatement(db, pipelineId, q, hours)).execute(db)
    // A calendar bucket that starts inside a UTC hour (a zone offset of :30 or :45) splits an
    // hour the rollup counts as one: only the raw rows can say which side each falls on.
    if (!rows.some((row) => row.straddles)) {
      return rows.map(({ straddles: _, ...row }) => row)
    }
  }
  const { rows } = await (await pipelineSeriesStatement(db, pipelineId, q, path, groupPath)).execute(db)
  return rows
}

const HOUR_MS = 3_600_000
/** Buckets made of whole UTC hours: '1h' (date_bin from 2000-01-01 UTC) and the calendar ones in zones whose offsets are whole hours. */
const HOUR_MULTIPLES = new Set<string>(['1h', '1d', '1w', '1mo'])

/** The whole UTC hours inside [from, to), if the bucket is made of hours and any such hour exists. */
export function wholeHours(q: SeriesQuery): { lo: Date; hi: Date } | undefined {
  if (!HOUR_MULTIPLES.has(q.bucket)) return undefined
  const lo = Math.ceil(q.from.getTime() / HOUR_MS) * HOUR_MS
  const hi = Math.floor(q.to.getTime() / HOUR_MS) * HOUR_MS
  return lo < hi ? { lo: new Date(lo), hi: new Date(hi) } : undefined
}

/**
 * A count series (no field, no groupBy) from ingest.pipeline_record_hours (0350): the whole
 * hours [lo, hi) come from the rollup plus the rows ingested since its watermark (read in the
 * same statement, so rollup and tail see the same watermark); the partial hours at both ends
 * from the raw and compressed rows. Equal to pipelineSeriesStatement's answer, sources aside
 * ('rollup' for the rolled-up hours). `straddles`: some counted hour spans two buckets.
 */
export async function countStatement(db: Db, pipelineId: string, q: SeriesQuery, hours: { lo: Date; hi: Date }): Promise<RawBuilder<SeriesRow & { straddles: boolean }>> {
  const [from, to, lo, hi] = [q.from, q.to, hours.lo, hours.hi].map((d) => d.toISOString()) as [string, string, string, string]
  const bucket = bucketSql(q.bucket, q.tz)
  const pruning = await recordTimePruning(db, q.orgId, pipelineId, from, to)
  // The watermark as read now, a bound for the planner (it estimates and prunes from literals);
  // the statement's own read, never below this one, is the one the answer depends on.
  const { rows: read } = await sql<{ watermark: string }>`select w.watermark::text as watermark from ops.rollup_watermarks w where w.name = ${ROLLUP_NAME}`.execute(db)
  const plannedWatermark = read[0]?.watermark ?? '-infinity'
  const edge = (a: string, b: string) => sql`
    union all
    select d.record_time as t, 1::bigint as n, false as whole, 'raw' as src
      from ingest.pipeline_data d
     where d.organization_id = ${q.orgId} and d.pipeline_id = ${pipelineId}
       and d.record_time >= ${a}::timestamptz and d.record_time < ${b}::timestamptz and ${pruning}
    union all
    select c.record_time, 1::bigint, false, 'compressed' from (${compressedRows(q.orgId, pipelineId, 'record_time', a, b)}) c`
  const edges = [from < lo ? edge(from, lo) : sql``, hi < to ? edge(hi, to) : sql``]
  // With no field every value is 1: sum and count are the number of records, avg, min and max 1.
  const value = q.agg === 'count' || q.agg === 'sum' ? sql`sum(x.n)` : sql`1`
  return sql<SeriesRow & { straddles: boolean }>`
    with x as (
      select h.hour as t, h.record_count as n, true as whole, 'rollup' as src
        from ingest.pipeline_record_hours h
       where h.organization_id = ${q.orgId} and h.pipeline_id = ${pipelineId}
         and h.hour >= ${lo}::timestamptz and h.hour < ${hi}::timestamptz and h.record_count > 0
      union all
      select date_trunc('hour', d.record_time, 'UTC'), count(*), true, 'raw'
        from ingest.pipeline_data d
       where d.organization_id = ${q.orgId} and d.pipeline_id = ${pipelineId}
         and d.ingested_at >= ${plannedWatermark}::timestamptz and d.ingested_at >= ${rollupWatermark()}
         and d.record_time >= ${lo}::timestamptz and d.record_time < ${hi}::timestamptz
       group by 1
      ${edges[0]} ${edges[1]})
    select ${bucket(sql`x.t`)} as t, null::text as grp, ${value}::float8 as value, sum(x.n)::text as count, 1::float8 as min, 1::float8 as max,
           array_remove(array[case when bool_or(x.src = 'rollup') then 'rollup' end, case when bool_or(x.src = 'raw') then 'raw' end,
                              case when bool_or(x.src = 'compressed') then 'compressed' end], null) as sources,
           coalesce(bool_or(x.whole and ${bucket(sql`x.t`)} <> ${bucket(sql`x.t + interval '1 hour' - interval '1 microsecond'`)}), false) as straddles
      from x
     group by 1 order by 1`
}

/**
 * The series statement (exported for the pruning test's EXPLAIN). Each bucket lists its
 * sources: 'raw' (partitions) and 'compressed' (segments).
 */
export async function pipelineSeriesStatement(db: Db, pipelineId: string, q: SeriesQuery, path?: string[], groupPath?: string[]): Promise<RawBuilder<SeriesRow>> {
  const from = q.from.toISOString()
  const to = q.to.toISOString()
  const bucket = bucketSql(q.bucket, q.tz)
  const value = { sum: sql`sum(v)`, count: sql`count(*)`, avg: sql`avg(v)`, min: sql`min(v)`, max: sql`max(v)` }[q.agg]
  const pruning = await recordTimePruning(db, q.orgId, pipelineId, from, to)
  const rows = sql`
    select d.record_time, d.data, 'raw' as src
      from ingest.pipeline_data d
     where d.organization_id = ${q.orgId} and d.pipeline_id = ${pipelineId}
       and d.record_time >= ${from}::timestamptz and d.record_time < ${to}::timestamptz and ${pruning}
    union all
    select c.record_time, c.data, 'compressed' from (${compressedRows(q.orgId, pipelineId, 'record_time', from, to)}) c`
  const numeric = path ? sql`(d.data #>> ${path}::text[])::numeric` : sql`1::numeric`
  const counted = path ? sql`jsonb_typeof(d.data #> ${path}::text[]) = 'number'` : sql`true`
  // Which stores a bucket came from, without a DISTINCT aggregate (that sorts every row).
  const sources = sql`array_remove(array[case when bool_or(src = 'raw') then 'raw' end, case when bool_or(src = 'compressed') then 'compressed' end], null)`
  if (!groupPath) {
    // One pass, aggregated as the rows stream by: nothing to rank, so nothing is kept.
    return sql<SeriesRow>`
      with d as (${rows})
      select ${bucket(sql`d.record_time`)} as t, null::text as grp, ${value}::float8 as value, count(*)::text as count,
             min(v)::float8 as min, max(v)::float8 as max, ${sources} as sources
        from (select d.record_time, ${numeric} as v, d.src from d where ${counted}) d
       group by 1 order by 1`
  }
  return sql<SeriesRow>`
    with d as (${rows}), p as (
      select ${bucket(sql`d.record_time`)} as t, d.data #>> ${groupPath}::text[] as g, ${numeric} as v, d.src
        from d
       where ${counted}
    ), top as (
      select g from p group by g order by count(*) desc, g nulls last limit ${TOP_GROUPS}
    ), labelled as (
      select p.*, case when exists (select 1 from top where top.g is not distinct from p.g) then p.g else 'other' end as label from p
    )
    select t, label as grp, ${value}::float8 as value, count(*)::text as count, min(v)::float8 as min, max(v)::float8 as max, ${sources} as sources
      from labelled group by t, label order by t, label nulls first`
}
