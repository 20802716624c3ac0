import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { purgeSinkDeliveries } from './deliveries.repository.ts'
import { deliverDue } from './delivery.engine.ts'
import type { DeliveryDeps } from './delivery.outcome.ts'
import { CLEANUP_TASK, DELIVER_TASK, type DeliverJobPayload } from './sinks.queue.ts'

/**
 * Job handlers of sink delivery. Crontab (jobs.tasks.ts): `* * * * * sinks:deliver` (the
 * sweeper: every organization) and `sinks:cleanup` hourly. Both are safe to run again and
 * side by side: claims skip what another worker holds.
 */

/** Delivered rows are kept this long (the deliveries API shows them), failed ones longer. */
const KEEP_DELIVERED_DAYS = 7
const KEEP_FAILED_DAYS = 30
const PURGE_BATCH = 10_000

export function sinkTasks(runtime: Pick<Runtime, 'services'>, logger: pino.Logger, options: Partial<DeliveryDeps> = {}): TaskList {
  const deps: DeliveryDeps = { services: runtime.services, logger, ...options }
  return {
    [DELIVER_TASK]: async (payload) => {
      const { orgId } = (payload ?? {}) as DeliverJobPayload
      const summary = await deliverDue(deps, typeof orgId === 'string' ? { orgId } : {})
      if (Object.values(summary).some((n) => n > 0)) {
        logger.info({ job: DELIVER_TASK, orgId: orgId ?? null, ...summary }, 'sink deliveries attempted')
      }
    },
    [CLEANUP_TASK]: async () => {
      let deleted = 0
      for (;;) {
        const batch = await purgeSinkDeliveries(runtime.services.db, KEEP_DELIVERED_DAYS, KEEP_FAILED_DAYS, PURGE_BATCH)
        deleted += batch
        if (batch < PURGE_BATCH) {
          break
        }
      }
      logger.info({ job: CLEANUP_TASK, deleted }, 'old sink deliveries removed')
    },
  }
}
