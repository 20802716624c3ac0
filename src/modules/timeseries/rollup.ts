import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * ts:rollup (every minute, one at a time): folds the ingest batches' invalidations into
 * ts.aggregated_metrics (every level, minute to month). The work is one SQL function,
 * private.refresh_time_series_rollups (db/migrations/0121 and 0150 explain the invariant,
 * the watermark and why it runs as tessera_definer); this loops it while invalidations remain
 * and records a failed run.
 */

/** Invalidation rows consumed per call (each call is one transaction). */
export const ROLLUP_BATCH = 2_000
/** Calls per job run while catching up; the rest waits for the next minute. */
const MAX_STEPS = 50

interface RefreshRow {
  invalidations: number
  minute_rows: number
  hour_rows: number
  day_rows: number
  week_rows: number
  month_rows: number
  watermark: Date
  more: boolean
}

export interface TimeSeriesRollupSummary {
  steps: number
  invalidations: number
  rows: number
  watermark: Date | null
  caughtUp: boolean
}

export async function runTimeSeriesRollup(db: Db, batch = ROLLUP_BATCH): Promise<TimeSeriesRollupSummary> {
  const summary: TimeSeriesRollupSummary = { steps: 0, invalidations: 0, rows: 0, watermark: null, caughtUp: false }
  while (summary.steps < MAX_STEPS) {
    const started = new Date()
    let row: RefreshRow | undefined
    try {
      row = (await sql<RefreshRow>`select * from private.refresh_time_series_rollups(${batch}::integer)`.execute(db)).rows[0]
    } catch (error) {
      await sql`select private.record_time_series_rollup_failure(${started}, ${error instanceof Error ? error.message : String(error)})`.execute(db)
      throw error
    }
    if (!row) {
      throw new Error('the time series rollup returned nothing')
    }
    summary.steps += 1
    summary.invalidations += row.invalidations
    summary.rows += row.minute_rows + row.hour_rows + row.day_rows + row.week_rows + row.month_rows
    summary.watermark = row.watermark
    if (!row.more) {
      summary.caughtUp = true
      break
    }
  }
  return summary
}
