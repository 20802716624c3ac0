import { sql, type RawBuilder } from 'kysely'
import type { Trx } from '../../platform/db.ts'
import { ROLLUP_NAME } from './pipeline-data.repository.ts'

/**
 * ingest.pipeline_record_hours (0350): records per pipeline and UTC hour of record_time, counted
 * for the rows ingested below the hourly rollup's watermark. The rollup adds; every delete of
 * stored rows subtracts what it removed below the watermark, in its own transaction, after
 * taking the shared side of the lock the rollup takes exclusively (so the watermark it reads
 * cannot move past the rows it deletes before it commits).
 */

/** Takes the deleters' side of the rollup lock, for the rest of the transaction. */
export async function lockRecordHoursForDelete(trx: Trx): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(ingest.pipeline_record_hours_lock_key())`.execute(trx)
}

/** The watermark, as a scalar subquery of the statement that uses it (same snapshot). */
export function rollupWatermark(): RawBuilder<Date> {
  return sql<Date>`(select w.watermark from ops.rollup_watermarks w where w.name = ${ROLLUP_NAME})`
}

/**
 * CTEs (to follow others in a WITH) that subtract the rows of `source` (columns record_time,
 * ingested_at) ingested below the watermark; `subtracted` returns the hours touched and their
 * new counts.
 */
export function subtractRecordHours(orgId: string, pipelineId: string, source: string): RawBuilder<unknown> {
  const from = sql.table(source)
  return sql`
    removed_hours as (
      select date_trunc('hour', x.record_time, 'UTC') as hour, count(*) as n
        from ${from} x
       where x.ingested_at < ${rollupWatermark()}
       group by 1),
    subtracted as (
      update ingest.pipeline_record_hours h set record_count = greatest(h.record_count - r.n, 0)
        from removed_hours r
       where h.organization_id = ${orgId} and h.pipeline_id = ${pipelineId} and h.hour = r.hour
      returning h.hour, h.record_count)`
}

/** The hours of `subtracted` left at zero, as a column `empty_hours` (timestamptz[]). */
export const emptyHoursColumn = sql`(select coalesce(array_agg(s.hour), '{}') from subtracted s where s.record_count = 0) as empty_hours`

/** Deletes the given hours of a pipeline if they are still at zero. */
export async function deleteEmptyHours(trx: Trx, orgId: string, pipelineId: string, hours: Date[]): Promise<void> {
  if (hours.length === 0) return
  await sql`
    delete from ingest.pipeline_record_hours
     where organization_id = ${orgId} and pipeline_id = ${pipelineId} and record_count = 0
       and hour = any(${hours.map((h) => h.toISOString())}::timestamptz[])`.execute(trx)
}
