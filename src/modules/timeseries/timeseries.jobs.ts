import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { runTimeSeriesRollup } from './rollup.ts'

/** Time-series jobs. ts:rollup is safe to retry: it recomputes buckets, never adds to them. */
export function timeSeriesTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'ts:rollup': async () => {
      const summary = await runTimeSeriesRollup(runtime.services.db)
      if (summary.invalidations > 0 || !summary.caughtUp) {
        logger.info({ job: 'ts:rollup', ...summary }, 'metric rollups refreshed')
      }
    },
  }
}
