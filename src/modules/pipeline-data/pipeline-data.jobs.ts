import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { runIdempotencyCleanup } from './idempotency-cleanup.ts'
import { runRetention } from './retention.ts'
import { runRollup } from './rollup.ts'

/** The data lifecycle jobs. Each is safe to retry: the rollup recomputes, the deletes find what is left. */
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
    'ingest:idempotency-cleanup': async () => {
      const deleted = await runIdempotencyCleanup(runtime.services)
      logger.info({ job: 'ingest:idempotency-cleanup', deleted }, 'expired idempotency keys deleted')
    },
  }
}
