import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { decodeSegment, segmentBounds, type TimeField } from './segments.ts'

/**
 * Reading a pipeline's stored rows wherever they are: the raw daily partitions of
 * ingest.pipeline_data and the compressed segments of older days. Each reader is ONE
 * statement over both, so a compression committing meanwhile (rows leave the raw partition
 * and enter segments in one statement) is seen entirely or not at all.
 */

export interface StoredRow {
  /** bigint as a string */
  id: string
  data: unknown
  ingested_at: Date
  record_time: Date
}

export interface RowRange {
  /** ISO instants; absent: unbounded. */
  from?: string
  to?: string
  limit: number
  timeField: TimeField
}

/**
 * The newest `limit` rows of a pipeline by `timeField` in [from, to) (ties: highest id first),
 * raw and compressed alike.
 *
 * Compressed side: decoding every segment in a wide range would be slow, so only the segments
 * that can hold one of the `limit` newest rows are decoded. Taking the segments wholly inside
 * the range newest-first, the first point where they add up to `limit` rows gives a floor: at
 * least `limit` rows are at or above it, so a segment whose newest row is below it cannot
 * contribute.
 */
export async function newestRows(db: Db, orgId: string, pipelineId: string, range: RowRange): Promise<StoredRow[]> {
  const from = range.from ?? '-infinity'
  const to = range.to ?? 'infinity'
  const raw = sql.ref(`d.${range.timeField}`)
  const decoded = sql.ref(`r.${range.timeField}`)
  const { lo, hi } = segmentBounds(range.timeField)
  const pruning = range.timeField === 'record_time' ? await recordTimePruning(db, orgId, pipelineId, from, to) : sql`true`
  const { rows } = await sql<StoredRow>`
    with segs as (
      select s.day, s.seq, s.row_count, ${lo} as lo, ${hi} as hi
        from ingest.pipeline_data_segments s
       where s.organization_id = ${orgId} and s.pipeline_id = ${pipelineId}
         and ${hi} >= ${from}::timestamptz and ${lo} < ${to}::timestamptz),
    prefix as (
      select g.lo, sum(g.row_count) over (order by g.lo desc, g.day desc, g.seq desc rows unbounded preceding) as n
        from segs g
       where g.lo >= ${from}::timestamptz and g.hi < ${to}::timestamptz),
    floor as (
      select coalesce(max(p.lo) filter (where p.n >= ${range.limit}), '-infinity'::timestamptz) as t from prefix p)
    select x.id, x.data, x.ingested_at, x.record_time
      from (
        (select d.id, d.data, d.ingested_at, d.record_time
           from ingest.pipeline_data d
          where d.organization_id = ${orgId} and d.pipeline_id = ${pipelineId}
            and ${raw} >= ${from}::timestamptz and ${raw} < ${to}::timestamptz and ${pruning}
          order by ${raw} desc, d.id desc
          limit ${range.limit})
        union all
        (select r.id, r.data, r.ingested_at, r.record_time
           from segs g
           join ingest.pipeline_data_segments s on s.organization_id = ${orgId} and s.pipeline_id = ${pipelineId} and s.day = g.day and s.seq = g.seq
          cross join lateral ${decodeSegment('s')} r
          where g.hi >= (select t from floor) and ${decoded} >= ${from}::timestamptz and ${decoded} < ${to}::timestamptz
          order by ${decoded} desc, r.id desc
          limit ${range.limit})
      ) x
     order by ${sql.ref(`x.${range.timeField}`)} desc, x.id desc
     limit ${range.limit}`.execute(db)
  return rows
}

/**
 * A predicate on `<alias>.ingested_at` that leaves out the partitions a record-time query on
 * [from, to) of this pipeline need not scan: closed partitions summarized by ingest:day-ranges
 * (0141) in which the pipeline has no rows, or none with a record_time in the range. Every other
 * partition, summarized or not, stays in. The bounds are bound parameters, so the planner prunes
 * the left-out partitions; adjacent ones are left out as one range, keeping the predicate short.
 */
export async function recordTimePruning(db: Db, orgId: string, pipelineId: string, from: string, to: string, alias = 'd'): Promise<RawBuilder<boolean>> {
  const { rows } = await sql<{ range_start: Date; range_end: Date }>`
    select p.range_start, p.range_end
      from ops.partitions p
      join ops.pipeline_data_summaries s on s.partition_table = p.partition_table and s.relid = to_regclass(p.partition_table)::oid
     where p.parent_table = 'ingest.pipeline_data' and p.state = 'attached'
       and not exists (
         select 1 from ingest.pipeline_data_days r
          where r.organization_id = ${orgId} and r.pipeline_id = ${pipelineId} and r.day = (p.range_start at time zone 'UTC')::date
            and r.min_record_time < ${to}::timestamptz and r.max_record_time >= ${from}::timestamptz)
     order by p.range_start`.execute(db)
  const skipped: Array<{ start: Date; end: Date }> = []
  for (const row of rows) {
    const last = skipped[skipped.length - 1]
    if (last && last.end.getTime() === row.range_start.getTime()) {
      last.end = row.range_end
    } else {
      skipped.push({ start: row.range_start, end: row.range_end })
    }
  }
  if (skipped.length === 0) {
    return sql<boolean>`true`
  }
  const column = sql.ref(`${alias}.ingested_at`)
  return sql<boolean>`(${sql.join(
    skipped.map((r) => sql`(${column} < ${r.start.toISOString()}::timestamptz or ${column} >= ${r.end.toISOString()}::timestamptz)`),
    sql` and `,
  )})`
}
