import type pino from 'pino'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { addStorageUsed } from '../ingest/pipeline-rows.ts'
import { deleteExpiredHours, deleteExpiredRows, pipelinesWithRetention } from './pipeline-data.repository.ts'
import { deleteEmptyHours, lockRecordHoursForDelete } from './record-hours.ts'
import { trimExpiredSegments } from './segments.ts'

/**
 * pipeline-data:retention (daily): each pipeline with retention_days loses its rows ingested
 * more than that many days ago (ingested_at, the seed's hypertable time and the partition
 * key), in batches of BATCH rows, each batch one tenant transaction that also takes the freed
 * bytes off the organization's storage use, deletes the rollup rows of the expired hours and
 * takes the deleted rows off pipeline_record_hours (by record hour: those hours need not be old).
 * The cutoff is rounded down to the hour, so whole hours expire and no rollup row is left
 * counting deleted rows; a row is kept at most an hour past its retention.
 *
 * Compressed days (ingest:compress) expire the same way, SEGMENT_BATCH segments (up to 1,000
 * rows each) per transaction: whole segments go, and one straddling the cutoff keeps its newer
 * rows.
 *
 * Not done: dropping whole daily partitions. A partition holds every pipeline of every
 * organization, so it could go only when all of them have a retention shorter than its age;
 * pipelines without retention keep everything, which makes that rare, and the storage
 * accounting needs the bytes per organization anyway (a sum over the partition first).
 */

const DAY_MS = 24 * 60 * 60 * 1000
const HOUR_MS = 60 * 60 * 1000
export const RETENTION_BATCH = 5_000
export const SEGMENT_BATCH = 20
/** Batches per pipeline per run (25 million rows); the rest goes the next day. */
const MAX_BATCHES = 5_000

export interface RetentionSummary {
  pipelines: number
  rows: number
  bytes: number
  skipped: number
  failed: number
  segments: number
}

export const retentionCutoff = (now: Date, days: number) => new Date(Math.floor((now.getTime() - days * DAY_MS) / HOUR_MS) * HOUR_MS)

export async function runRetention(services: Pick<Services, 'db'>, logger: pino.Logger, now = new Date()): Promise<RetentionSummary> {
  const summary: RetentionSummary = { pipelines: 0, rows: 0, bytes: 0, skipped: 0, failed: 0, segments: 0 }
  for (const target of await pipelinesWithRetention(services.db)) {
    const { pipeline_id: pipelineId, organization_id: orgId, acting_user_id: userId } = target
    if (!userId) {
      // Nobody may act for the organization any more: its data stays until someone can.
      summary.skipped++
      continue
    }
    const cutoff = retentionCutoff(now, target.retention_days)
    const context = { orgId, userId, requestId: 'job:pipeline-data:retention' }
    try {
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const deleted = await withContext(services.db, context, async (trx) => {
          await lockRecordHoursForDelete(trx)
          const gone = await deleteExpiredRows(trx, orgId, pipelineId, cutoff, RETENTION_BATCH)
          await deleteEmptyHours(trx, orgId, pipelineId, gone.emptyHours)
          await deleteExpiredHours(trx, orgId, pipelineId, cutoff)
          if (gone.bytes > 0) {
            await addStorageUsed(trx, orgId, -gone.bytes)
          }
          return gone
        })
        summary.rows += deleted.count
        summary.bytes += deleted.bytes
        if (deleted.count < RETENTION_BATCH) {
          break
        }
      }
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const trimmed = await withContext(services.db, context, async (trx) => {
          await lockRecordHoursForDelete(trx)
          const result = await trimExpiredSegments(trx, orgId, pipelineId, cutoff, SEGMENT_BATCH)
          await deleteEmptyHours(trx, orgId, pipelineId, result.emptyHours)
          if (result.bytes > 0) {
            await addStorageUsed(trx, orgId, -result.bytes)
          }
          return result
        })
        summary.rows += trimmed.rows
        summary.bytes += trimmed.bytes
        summary.segments += trimmed.segments
        if (trimmed.segments < SEGMENT_BATCH) {
          break
        }
      }
      summary.pipelines++
    } catch (error) {
      summary.failed++
      logger.warn({ job: 'pipeline-data:retention', orgId, pipelineId, err: error }, 'retention of a pipeline failed')
    }
  }
  return summary
}
