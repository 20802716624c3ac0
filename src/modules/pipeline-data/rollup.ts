import type { Db } from '../../platform/db.ts'
import { refreshHourly } from './pipeline-data.repository.ts'

/**
 * pipeline-data:rollup (every minute): keeps ingest.pipeline_data_hourly current. The work is
 * one SQL function (private.refresh_pipeline_data_hourly, whose comment explains the watermark
 * and why it runs as tessera_definer); this loops it while it is catching up.
 */

/**
 * How far the watermark stays behind each window's end: a batch whose transaction ran longer
 * than this across a refresh would be missed (ingest batches take seconds; a run stores in one
 * transaction of at most a million rows, well under a minute).
 */
export const ROLLUP_MARGIN_SECONDS = 5 * 60
/** The longest window one refresh covers, so a first run over days of data commits in steps. */
export const ROLLUP_MAX_WINDOW_SECONDS = 24 * 60 * 60
/** Steps per job run while catching up (a day each). */
const MAX_STEPS = 60

export interface RollupSummary {
  steps: number
  buckets: number
  watermark: Date
  caughtUp: boolean
}

export async function runRollup(db: Db): Promise<RollupSummary> {
  let buckets = 0
  for (let step = 1; ; step++) {
    const result = await refreshHourly(db, ROLLUP_MARGIN_SECONDS, ROLLUP_MAX_WINDOW_SECONDS)
    buckets += result.buckets
    // A window shorter than the maximum ended at now(): caught up.
    const caughtUp = result.window_end.getTime() - result.window_start.getTime() < ROLLUP_MAX_WINDOW_SECONDS * 1000
    if (caughtUp || step >= MAX_STEPS) {
      return { steps: step, buckets, watermark: result.watermark, caughtUp }
    }
  }
}
