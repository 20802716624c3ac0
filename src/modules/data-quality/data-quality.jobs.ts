import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { runFreshnessChecks } from './data-quality.freshness.ts'
import { cleanupResults } from './data-quality.repository.ts'

const DAY_MS = 24 * 60 * 60 * 1000
/** Rows deleted per statement by the cleanup: short statements, short locks. */
const CLEANUP_BATCH = 10_000

/** Deletes results older than ingest.quality_results_retention_days, batch by batch. */
export async function cleanupQualityResults(runtime: Pick<Runtime, 'services'>, now = new Date()): Promise<number> {
  const days = await runtime.services.settings.integer('ingest.quality_results_retention_days', 30)
  const before = new Date(now.getTime() - days * DAY_MS)
  let total = 0
  for (;;) {
    const deleted = await cleanupResults(runtime.services.db, before, CLEANUP_BATCH)
    total += deleted
    if (deleted < CLEANUP_BATCH) {
      return total
    }
  }
}

/** data-quality:freshness (every minute) and data-quality:cleanup (daily). Both are safe to retry. */
export function dataQualityTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'data-quality:freshness': async () => {
      const summary = await runFreshnessChecks(runtime.services, logger)
      if (summary.failed > 0 || summary.skipped > 0) {
        logger.info({ job: 'data-quality:freshness', ...summary }, 'freshness checks evaluated')
      }
    },
    'data-quality:cleanup': async () => {
      const deleted = await cleanupQualityResults(runtime)
      logger.info({ job: 'data-quality:cleanup', deleted }, 'old data quality results deleted')
    },
  }
}
