import { sql, type RawBuilder } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'
import { emptyHoursColumn, subtractRecordHours } from './record-hours.ts'

/**
 * Queries on ingest.pipeline_data_segments, the compressed days of pipeline_data (0140): the
 * decoding every reader shares, and the deletes of retention and pipeline deletion. Segments
 * are written only by ingest:compress (compression.ts); rows inside a segment are stored in
 * (ingested_at, id) order.
 */

export type TimeField = 'ingested_at' | 'record_time'

/** The segment columns bounding a time field: a segment holds no row of the field outside [lo, hi]. */
export function segmentBounds(field: TimeField, alias = 's'): { lo: RawBuilder<Date>; hi: RawBuilder<Date> } {
  return field === 'ingested_at'
    ? { lo: sql.ref(`${alias}.first_ingested_at`), hi: sql.ref(`${alias}.last_ingested_at`) }
    : { lo: sql.ref(`${alias}.min_record_time`), hi: sql.ref(`${alias}.max_record_time`) }
}

/** `ingest.pipeline_segment_rows(...)` over the segment row `alias`: its rows, in stored order. */
export function decodeSegment(alias = 's'): RawBuilder<unknown> {
  const c = (column: string) => sql.ref(`${alias}.${column}`)
  return sql`ingest.pipeline_segment_rows(${c('first_id')}, ${c('first_ingested_at')}, ${c('id_deltas')}, ${c('ingested_deltas')}, ${c('record_offsets')}, ${c('job_ids')}, ${c('data')})`
}

/**
 * The compressed rows of one pipeline whose `field` lies in [from, to): a subquery with the
 * columns of pipeline_data. Segments whose bounds miss the range are not decoded.
 */
export function compressedRows(orgId: string, pipelineId: string, field: TimeField, from: string, to: string): RawBuilder<unknown> {
  const { lo, hi } = segmentBounds(field)
  return sql`
    select r.id, r.data, r.ingested_at, r.record_time, r.ingestion_job_id
      from ingest.pipeline_data_segments s
     cross join lateral ${decodeSegment('s')} r
     where s.organization_id = ${orgId} and s.pipeline_id = ${pipelineId}
       and ${hi} >= ${from}::timestamptz and ${lo} < ${to}::timestamptz
       and ${sql.ref(`r.${field}`)} >= ${from}::timestamptz and ${sql.ref(`r.${field}`)} < ${to}::timestamptz`
}

/** Deletes every segment of a pipeline (pipeline deletion); returns the bytes they counted for. */
export async function deletePipelineSegments(db: Db, orgId: string, pipelineId: string): Promise<number> {
  const { rows } = await sql<{ bytes: string | null }>`
    with gone as (
      delete from ingest.pipeline_data_segments where organization_id = ${orgId} and pipeline_id = ${pipelineId}
      returning data_bytes),
    ranges as (
      delete from ingest.pipeline_data_days where organization_id = ${orgId} and pipeline_id = ${pipelineId})
    select sum(data_bytes)::text as bytes from gone`.execute(db)
  return Number(rows[0]?.bytes ?? 0)
}

export interface TrimResult {
  segments: number
  rows: number
  bytes: number
  /** Hours of pipeline_record_hours the trim left at zero. */
  emptyHours: Date[]
}

/**
 * Retention inside segments: of up to `limit` segments holding rows ingested before `cutoff`,
 * those wholly before it are deleted, and one that straddles it keeps its rows from the cutoff
 * on. Those are a suffix of its arrays (rows are stored in ingested_at order), so the arrays
 * are sliced rather than re-encoded; the first kept row becomes the base of the deltas.
 * Returns the segments touched and the rows and document bytes removed. The removed rows are
 * taken off pipeline_record_hours in the same statement (the caller holds lockRecordHoursForDelete).
 */
export async function trimExpiredSegments(trx: Trx, orgId: string, pipelineId: string, cutoff: Date, limit: number): Promise<TrimResult> {
  const at = cutoff.toISOString()
  const { rows } = await sql<{ segments: number; rows: string; bytes: string; empty_hours: Date[] }>`
    with victims as (
      select s.organization_id, s.pipeline_id, s.day, s.seq, s.last_ingested_at < ${at}::timestamptz as whole
        from ingest.pipeline_data_segments s
       where s.organization_id = ${orgId} and s.pipeline_id = ${pipelineId} and s.first_ingested_at < ${at}::timestamptz
       order by s.day, s.seq
       limit ${limit}
       for update),
    gone as (
      delete from ingest.pipeline_data_segments s
       using victims v
       where v.whole and s.organization_id = v.organization_id and s.pipeline_id = v.pipeline_id and s.day = v.day and s.seq = v.seq
      returning s.row_count, s.data_bytes),
    kept as (
      select v.organization_id, v.pipeline_id, v.day, v.seq, k.*
        from victims v
        join ingest.pipeline_data_segments s
          on s.organization_id = v.organization_id and s.pipeline_id = v.pipeline_id and s.day = v.day and s.seq = v.seq
       cross join lateral (
         select min(r.ord) filter (where r.ingested_at >= ${at}::timestamptz) as first_kept,
                (array_agg(r.id order by r.ord) filter (where r.ingested_at >= ${at}::timestamptz))[1] as first_id,
                min(r.ingested_at) filter (where r.ingested_at >= ${at}::timestamptz) as first_ingested_at,
                min(r.record_time) filter (where r.ingested_at >= ${at}::timestamptz) as min_record_time,
                max(r.record_time) filter (where r.ingested_at >= ${at}::timestamptz) as max_record_time,
                coalesce(sum(pg_column_size(r.data)) filter (where r.ingested_at < ${at}::timestamptz), 0) as removed_bytes
           from ${decodeSegment('s')} r) k
       where not v.whole),
    trimmed as (
      update ingest.pipeline_data_segments s
         set row_count = s.row_count - (k.first_kept - 1)::integer, first_id = k.first_id, first_ingested_at = k.first_ingested_at,
             min_record_time = k.min_record_time, max_record_time = k.max_record_time, data_bytes = s.data_bytes - k.removed_bytes,
             id_deltas = array[0::bigint] || s.id_deltas[k.first_kept + 1:], ingested_deltas = array[0::bigint] || s.ingested_deltas[k.first_kept + 1:],
             record_offsets = s.record_offsets[k.first_kept:], job_ids = s.job_ids[k.first_kept:], data = s.data[k.first_kept:]
        from kept k
       where s.organization_id = k.organization_id and s.pipeline_id = k.pipeline_id and s.day = k.day and s.seq = k.seq
      returning k.first_kept - 1 as removed, k.removed_bytes),
    -- The removed rows (every row of a whole segment, the prefix before the cutoff of another),
    -- read from the statement's snapshot, to take them off pipeline_record_hours.
    removed_rows as (
      select r.record_time, r.ingested_at
        from victims v
        join ingest.pipeline_data_segments s
          on s.organization_id = v.organization_id and s.pipeline_id = v.pipeline_id and s.day = v.day and s.seq = v.seq
       cross join lateral ${decodeSegment('s')} r
       where v.whole or r.ingested_at < ${at}::timestamptz),
    ${subtractRecordHours(orgId, pipelineId, 'removed_rows')}
    select (select count(*) from victims)::int as segments, ${emptyHoursColumn},
           ((select coalesce(sum(row_count), 0) from gone) + (select coalesce(sum(removed), 0) from trimmed))::text as rows,
           ((select coalesce(sum(data_bytes), 0) from gone) + (select coalesce(sum(removed_bytes), 0) from trimmed))::text as bytes`.execute(trx)
  const row = rows[0]
  return { segments: row?.segments ?? 0, rows: Number(row?.rows ?? 0), bytes: Number(row?.bytes ?? 0), emptyHours: row?.empty_hours ?? [] }
}
