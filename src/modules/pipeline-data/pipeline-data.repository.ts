import { sql } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'
import { emptyHoursColumn, subtractRecordHours } from './record-hours.ts'

/** Queries of the data lifecycle: the hourly rollup, retention and the idempotency-key cleanup. */

export const ROLLUP_NAME = 'ingest.pipeline_data_hourly'

export interface RefreshResult {
  buckets: number
  window_start: Date
  window_end: Date
  watermark: Date
}

/** One refresh step of the hourly rollup (see private.refresh_pipeline_data_hourly). */
export async function refreshHourly(db: Db, marginSeconds: number, maxWindowSeconds: number): Promise<RefreshResult> {
  const { rows } = await sql<RefreshResult>`
    select * from private.refresh_pipeline_data_hourly(make_interval(secs => ${marginSeconds}), make_interval(secs => ${maxWindowSeconds}))`.execute(db)
  const row = rows[0]
  if (!row) {
    throw new Error('the hourly rollup refresh returned nothing')
  }
  return row
}

/** When the rollup last ran (the instant it covers), null before its first run. */
/** The rollup's progress: rows ingested before `watermark` are counted in it; `refreshedAt` is its last run. */
export async function rollupState(db: Db): Promise<{ watermark: Date | null; refreshedAt: Date | null }> {
  const { rows } = await sql<{ watermark: Date | null; refreshed_at: Date | null }>`
    select case when w.watermark = '-infinity' then null else w.watermark end as watermark, w.refreshed_at
      from ops.rollup_watermarks w where w.name = ${ROLLUP_NAME}`.execute(db)
  return { watermark: rows[0]?.watermark ?? null, refreshedAt: rows[0]?.refreshed_at ?? null }
}

export interface HourlyRow {
  bucket: Date
  record_count: string
  total_bytes: string
}

export async function rolledUpHours(db: Db, orgId: string, pipelineId: string, from: Date, to: Date): Promise<HourlyRow[]> {
  return db
    .selectFrom('ingest.pipeline_data_hourly')
    .select(['bucket', 'record_count', 'total_bytes'])
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('bucket', '>=', from)
    .where('bucket', '<', to)
    .orderBy('bucket')
    .execute()
}

/** The same figures straight from pipeline_data, for rows ingested in [from, to) (literal bounds: partition pruning). */
export async function rawHours(db: Db, orgId: string, pipelineId: string, from: Date, to: Date): Promise<HourlyRow[]> {
  const { rows } = await sql<HourlyRow>`
    select date_trunc('hour', ingested_at, 'UTC') as bucket, count(*)::text as record_count, coalesce(sum(pg_column_size(data)), 0)::text as total_bytes
      from ingest.pipeline_data
     where organization_id = ${orgId} and pipeline_id = ${pipelineId}
       and ingested_at >= ${from.toISOString()}::timestamptz and ingested_at < ${to.toISOString()}::timestamptz
     group by 1
     order by 1`.execute(db)
  return rows
}

export async function pipelineExists(db: Db, orgId: string, pipelineId: string): Promise<boolean> {
  const row = await db.selectFrom('ingest.pipelines').select('id').where('organization_id', '=', orgId).where('id', '=', pipelineId).executeTakeFirst()
  return row !== undefined
}

export interface RetentionTarget {
  pipeline_id: string
  organization_id: string
  retention_days: number
  acting_user_id: string | null
}

/** Pipelines with a retention, across organizations (see private.pipelines_with_retention). */
export async function pipelinesWithRetention(db: Db): Promise<RetentionTarget[]> {
  const { rows } = await sql<RetentionTarget>`select * from private.pipelines_with_retention()`.execute(db)
  return rows
}

/**
 * Deletes up to `limit` rows of a pipeline ingested before `cutoff`, in the caller's tenant
 * transaction; returns how many and the bytes they counted for (pg_column_size, as at insert).
 * The same statement takes the deleted rows off pipeline_record_hours (the caller holds
 * lockRecordHoursForDelete) and returns the hours it left at zero.
 * The literal upper bound keeps the newer partitions out of the plan.
 */
export async function deleteExpiredRows(trx: Trx, orgId: string, pipelineId: string, cutoff: Date, limit: number): Promise<{ count: number; bytes: number; emptyHours: Date[] }> {
  const { rows } = await sql<{ count: number; bytes: string; empty_hours: Date[] }>`
    with victims as (
      select pipeline_id, ingested_at, id
        from ingest.pipeline_data
       where organization_id = ${orgId} and pipeline_id = ${pipelineId} and ingested_at < ${cutoff.toISOString()}::timestamptz
       limit ${limit}
    ), gone as (
      delete from ingest.pipeline_data d
       using victims v
       where d.pipeline_id = v.pipeline_id and d.ingested_at = v.ingested_at and d.id = v.id
         and d.ingested_at < ${cutoff.toISOString()}::timestamptz
      returning d.record_time, d.ingested_at, pg_column_size(d.data) as size),
    ${subtractRecordHours(orgId, pipelineId, 'gone')}
    select count(*)::int as count, coalesce(sum(size), 0)::text as bytes, ${emptyHoursColumn} from gone`.execute(trx)
  return { count: rows[0]?.count ?? 0, bytes: Number(rows[0]?.bytes ?? 0), emptyHours: rows[0]?.empty_hours ?? [] }
}

/** Rollup rows of hours that lie wholly before `cutoff` (an hour boundary). */
export async function deleteExpiredHours(trx: Trx, orgId: string, pipelineId: string, cutoff: Date): Promise<number> {
  const result = await trx
    .deleteFrom('ingest.pipeline_data_hourly')
    .where('organization_id', '=', orgId)
    .where('pipeline_id', '=', pipelineId)
    .where('bucket', '<', cutoff)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Expired Idempotency-Keys, at most `limit` (see private.cleanup_idempotency_keys). */
export async function cleanupIdempotencyKeys(db: Db, completedBefore: Date, inFlightBefore: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ deleted: number }>`
    select private.cleanup_idempotency_keys(${completedBefore.toISOString()}::timestamptz, ${inFlightBefore.toISOString()}::timestamptz, ${limit}) as deleted`.execute(db)
  return rows[0]?.deleted ?? 0
}
