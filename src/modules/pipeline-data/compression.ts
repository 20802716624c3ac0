import type pg from 'pg'
import { attachedDaysBefore, detachConcurrently, quoteQualified, recordedRun, unfinishedCompressions, withOwner } from '../storage/maintenance.ts'
import { ROLLUP_NAME } from './pipeline-data.repository.ts'

/**
 * ingest:compress (daily): rewrites old days of ingest.pipeline_data into
 * ingest.pipeline_data_segments (seed 001's compression policy, 7 days by default), on the
 * design of ts:compress (src/modules/storage/compression.ts).
 *
 * The rule, per (pipeline, day): a pipeline's rows of a day move into segments once the day
 * ended more than ingest.pipelines.compress_after_days (else the default) ago. A partition is
 * detached and dropped once it is empty and its day is past the default delay. Unlike the
 * metric points, pipeline_data needs no unbroken range of attached partitions: a row's
 * ingested_at is its transaction's start, so no write ever targets an old day, and a pipeline
 * with a longer delay keeps only its own day's partition attached.
 *
 * A day is compressed only once the hourly rollup (pipeline_data_hourly) has passed it: the
 * rollup reads raw rows only, and must have counted them before they leave.
 *
 * Each day is one transaction (ops.compress_pipeline_data_day): the partition is locked against
 * writes, its rows are deleted and written as segments in one statement, and the emptied
 * partition is marked 'compressed'. Then, outside any transaction, it is detached
 * CONCURRENTLY (ingest and queries carry on), rows that slipped in are absorbed into segments,
 * and the empty table is dropped. Rows reaching a compressed day whose partition is still
 * attached (kept by a slower pipeline) stay raw until the next run adds them as more segments.
 */

const DAY_MS = 86_400_000

export interface PipelineCompressionOptions {
  now?: Date
  /** Default delay in days (seed 001: 7). */
  defaultDays?: number
  /** Days behind today partitions:maintain keeps partitions for (PARTITIONED_TABLES: 1 for pipeline_data). */
  keepBehindDays?: number
}

export interface PipelineCompressionSummary {
  days: number
  rows: number
  segments: number
  /** Days past their delay that wait for the hourly rollup. */
  waitingForRollup: number
  detached: string[]
}

interface DayResult {
  segments: number
  moved_rows: string
  has_rows: boolean
  partition_table: string | null
}

/** One recorded, one-at-a-time run as the owner role (maintenance.ts). */
export function compressPipelineData(ownerUrl: string, options: PipelineCompressionOptions = {}) {
  return withOwner(ownerUrl, (client) => recordedRun(client, 'ingest:compress', () => runPipelineCompression(client, options)))
}

export async function runPipelineCompression(client: pg.Client, options: PipelineCompressionOptions = {}): Promise<PipelineCompressionSummary> {
  const now = options.now ?? new Date()
  const defaultDays = options.defaultDays ?? 7
  const keepBehindDays = options.keepBehindDays ?? 1
  const summary: PipelineCompressionSummary = { days: 0, rows: 0, segments: 0, waitingForRollup: 0, detached: [] }

  // A run that stopped between marking a partition 'compressed' and dropping it finishes first.
  for (const { partition_table: table, day } of await unfinishedCompressions(client, 'ingest.pipeline_data')) {
    await detachAndDrop(client, table, day, summary)
  }

  const { rows: delayRows } = await client.query<{ days: number }>('select private.operator_min_pipeline_compress_after_days($1) as days', [defaultDays])
  const minDelay = delayRows[0]?.days ?? defaultDays
  const { rows: watermarkRows } = await client.query<{ watermark: Date | null }>('select watermark from ops.rollup_watermarks where name = $1', [ROLLUP_NAME])
  const rolledUpTo = watermarkRows[0]?.watermark?.getTime() ?? Number.NEGATIVE_INFINITY
  const candidates = await attachedDaysBefore(client, 'ingest.pipeline_data', new Date(now.getTime() - minDelay * DAY_MS))

  for (const { day, range_end: rangeEnd } of candidates) {
    if (!(rangeEnd.getTime() <= rolledUpTo)) {
      summary.waitingForRollup++
      continue
    }
    const ageDays = (now.getTime() - rangeEnd.getTime()) / DAY_MS
    const detach = ageDays >= defaultDays && ageDays >= keepBehindDays
    const result = await compressDay(client, day, defaultDays, now, detach)
    summary.days++
    summary.segments += result.segments
    summary.rows += Number(result.moved_rows)
    if (detach && !result.has_rows && result.partition_table) {
      await detachAndDrop(client, result.partition_table, day, summary)
    }
  }
  return summary
}

async function compressDay(client: pg.Client, day: string, defaultDays: number, now: Date, detach: boolean): Promise<DayResult> {
  await client.query('begin')
  try {
    // Waits for writes to the day's partition to finish; a long wait means something is wrong,
    // and the next run retries.
    await client.query("set local lock_timeout = '30s'")
    const { rows } = await client.query<DayResult>('select * from ops.compress_pipeline_data_day($1::date, $2, $3, $4)', [day, defaultDays, now, detach])
    await client.query('commit')
    return rows[0]!
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  }
}

async function detachAndDrop(client: pg.Client, table: string, day: string, summary: PipelineCompressionSummary): Promise<void> {
  await detachConcurrently(client, 'ingest.pipeline_data', table)
  const { rows } = await client.query<{ moved: string }>('select ops.absorb_detached_pipeline_data($1, $2::date) as moved', [table, day])
  summary.rows += Number(rows[0]?.moved ?? 0)
  // The day's record-time summary (ingest:day-ranges) described a partition that is gone.
  await client.query('select private.operator_forget_pipeline_data_day($1::date)', [day])
  await client.query('delete from ops.pipeline_data_summaries where partition_table = $1', [table])
  await client.query(`drop table ${quoteQualified(table)}`)
  summary.detached.push(table)
}
