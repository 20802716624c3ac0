import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { runExecutionJob } from './workflow.engine.ts'
import { createExecution, finishLocked, inTenant, RunFailure, type Tenant, type WorkflowDeps } from './workflow.lifecycle.ts'
import { nextPipelineRun } from './workflow.schedule.ts'
import { enqueueRun, RUN_TASK, runJobExists, SCHEDULE_TASK, type RunJobPayload } from './workflows.queue.ts'
import { duePipelines, hasActiveExecution, isStillStale, lockDuePipeline, lockExecution, setPipelineSchedule, staleExecutions } from './workflows.repository.ts'

/** Job handlers of workflow runs. Crontab: `* * * * * workflows:schedule` (see jobs.tasks.ts). */

/** A running execution silent this long (or this far past its deadline) has lost its worker. */
const STALE_AFTER_SECONDS = 600

export function workflowTasks(runtime: Pick<Runtime, 'services'>, logger: pino.Logger, options: Partial<WorkflowDeps> = {}): TaskList {
  const deps: WorkflowDeps = { services: runtime.services, logger, ...options }
  return {
    [RUN_TASK]: async (payload, helpers) => {
      await runExecutionJob(deps, parsePayload(payload), { id: helpers.job.id })
    },
    [SCHEDULE_TASK]: async () => {
      await sweepStaleExecutions(deps)
      await scheduleDuePipelines(deps)
    },
  }
}

function parsePayload(payload: unknown): RunJobPayload {
  const { orgId, executionId } = (payload ?? {}) as Partial<RunJobPayload>
  if (typeof orgId !== 'string' || typeof executionId !== 'string') {
    throw new Error('workflows:run needs { orgId, executionId }')
  }
  return { orgId, executionId }
}

/**
 * Queues a run of every active polling pipeline that is due and has none under way, as the
 * pipeline's creator (or an owner), and moves its next_run_at on. The pipeline row is locked
 * (skip locked) so two schedulers never queue the same run twice.
 */
export async function scheduleDuePipelines(deps: WorkflowDeps, now = new Date()): Promise<number> {
  let queued = 0
  for (const due of await duePipelines(deps.services.db)) {
    if (!due.acting_user_id) {
      deps.logger.warn({ pipelineId: due.id, orgId: due.organization_id }, 'due pipeline has no member to run as')
      continue
    }
    const tenant: Tenant = { orgId: due.organization_id, userId: due.acting_user_id }
    try {
      queued += await inTenant(deps, tenant, async (trx) => {
        const pipeline = await lockDuePipeline(trx, tenant.orgId, due.id)
        if (!pipeline) {
          return 0
        }
        if (!pipeline.data_source_id) {
          await setPipelineSchedule(trx, tenant.orgId, pipeline.id, { status: 'error', status_reason: 'A polling pipeline needs a data source to fetch from; set one and resume the pipeline' })
          return 0
        }
        const next = nextPipelineRun(pipeline, now)
        if (!next) {
          await setPipelineSchedule(trx, tenant.orgId, pipeline.id, {
            status: 'error',
            status_reason: `The schedule "${pipeline.cron_schedule ?? ''}" is not a five-field cron expression that ever fires; fix it and resume the pipeline`,
          })
          return 0
        }
        await setPipelineSchedule(trx, tenant.orgId, pipeline.id, { next_run_at: next })
        if (await hasActiveExecution(trx, tenant.orgId, pipeline.id)) {
          return 0
        }
        await createExecution(trx, deps.services.settings, tenant, { pipeline, triggeredBy: 'schedule', triggerUserId: null })
        return 1
      })
    } catch (error) {
      deps.logger.error({ err: error, pipelineId: due.id, orgId: due.organization_id }, 'could not schedule a pipeline run')
    }
  }
  return queued
}

/**
 * The sweeper: a run whose worker went silent is ended (Timeout past its deadline, else
 * Failed as worker_lost and retried if retries remain; Cancelled if a cancel was pending),
 * and a queued run whose job vanished gets a new one. Nothing stays InProgress forever.
 */
export async function sweepStaleExecutions(deps: WorkflowDeps, graceSeconds = STALE_AFTER_SECONDS): Promise<number> {
  let settled = 0
  for (const stale of await staleExecutions(deps.services.db, graceSeconds)) {
    if (!stale.acting_user_id) {
      continue
    }
    const tenant: Tenant = { orgId: stale.organization_id, userId: stale.acting_user_id }
    try {
      settled += await inTenant(deps, tenant, async (trx) => {
        const execution = await lockExecution(trx, tenant.orgId, stale.id)
        if (!execution) {
          return 0
        }
        if (execution.status === 'Queued' || execution.status === 'Created') {
          if (await runJobExists(trx, execution.id)) {
            return 0
          }
          await enqueueRun(trx, { orgId: tenant.orgId, executionId: execution.id }, { priority: execution.priority })
          deps.logger.warn({ executionId: execution.id }, 'queued workflow run had no job; queued it again')
          return 1
        }
        if (execution.status !== 'InProgress' && execution.status !== 'Cancelling') {
          return 0
        }
        // The row is locked now: check again, a heartbeat may have landed since the scan.
        if (!(await isStillStale(trx, tenant.orgId, execution.id, graceSeconds))) {
          return 0
        }
        deps.logger.warn({ executionId: execution.id, status: execution.status }, 'settling a workflow run whose worker went silent')
        await finishLocked(trx, deps, execution,
          execution.status === 'Cancelling'
            ? { kind: 'cancelled' }
            : execution.timeout_at !== null && execution.timeout_at.getTime() <= Date.now()
              ? { kind: 'timeout' }
              : { kind: 'failed', failure: new RunFailure('worker_lost', 'The worker running this run stopped sending heartbeats (killed or crashed)') })
        return 1
      })
    } catch (error) {
      deps.logger.error({ err: error, executionId: stale.id }, 'could not settle a stale workflow run')
    }
  }
  return settled
}
