import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { reportRunDetails } from '../jobs/job-runs.ts'
import { compressPipelineData } from './compression.ts'
import { summarizeDayRanges } from './day-ranges.ts'
import { runIdempotencyCleanup } from './idempotency-cleanup.ts'
import { runRetention } from './retention.ts'
import { runRollup } from './rollup.ts'

/**
 * Schedule lines of the jobs below that jobs.tasks.ts lists (the others are there already).
 * ingest:compress runs after the night's rollups and before pipeline-data:retention.
 */
export const PIPELINE_DATA_SCHEDULE = ['11 3 * * * ingest:compress ?max=1', '21 * * * * ingest:day-ranges ?max=1']

/**
 * The data lifecycle jobs. Each is safe to retry: the rollup recomputes, the deletes find what
 * is left, compression and day summaries resume from the catalogue.
 */
export function pipelineDataTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'pipeline-data:rollup': async () => {
      const summary = await runRollup(runtime.services.db)
      if (summary.buckets > 0 || !summary.caughtUp) {
        logger.debug({ job: 'pipeline-data:rollup', ...summary }, 'hourly rollup refreshed')
      }
    },
    'pipeline-data:retention': async () => {
      const summary = await runRetention(runtime.services, logger)
      logger.info({ job: 'pipeline-data:retention', ...summary }, 'expired pipeline data deleted')
    },
    'ingest:compress': async () => {
      // The owner's connection (DDL: detach, drop, grants); recorded in ops.maintenance_runs.
      const run = await compressPipelineData(runtime.ownerUrl)
      logger.info({ job: 'ingest:compress', outcome: run.outcome, ...run.result, detached: run.result?.detached.length }, 'pipeline data compressed')
    },
    'ingest:day-ranges': async () => {
      const summary = await summarizeDayRanges(runtime.ownerUrl)
      reportRunDetails(summary)
      if (summary.partitions + summary.busy > 0) {
        logger.info({ job: 'ingest:day-ranges', ...summary }, 'pipeline data days summarized')
      }
    },
    'ingest:idempotency-cleanup': async () => {
      const deleted = await runIdempotencyCleanup(runtime.services)
      logger.info({ job: 'ingest:idempotency-cleanup', deleted }, 'expired idempotency keys deleted')
    },
  }
}
