import { notFound } from '../../platform/errors.ts'
import { checkRunQuality } from '../data-quality/data-quality.run-step.ts'
import { requirePipeline } from '../pipelines/pipelines.service.ts'
import { claimExecution, finishExecution, inTenant, toRunFailure, type Outcome, type Tenant, type WorkflowDeps } from './workflow.lifecycle.ts'
import type { RunContext } from './workflow.stage-run.ts'
import { fetchStage, processStage, sinkStage, storeStage } from './workflow.stages.ts'
import type { RunJobPayload } from './workflows.queue.ts'
import { runActor, touchHeartbeat, type ExecutionRow } from './workflows.repository.ts'

/**
 * The `workflows:run` job: claims a slot, runs the stages while a watcher keeps the heartbeat
 * and turns a cancel request or the deadline into an abort, then records how the run ended.
 * Safe to run again: a second attempt of the same job finds the first one's state and settles it.
 */

/** Why a run was stopped from outside its stages. */
class RunAbort extends Error {
  constructor(readonly kind: 'cancel' | 'timeout' | 'lost') {
    super(kind === 'cancel' ? 'The run was cancelled' : kind === 'timeout' ? 'The run timed out' : 'The run was ended elsewhere')
    this.name = 'AbortError'
  }
}

export interface JobInfo {
  /** graphile-worker's job id: the same across attempts of one job. */
  id: string
}

export async function runExecutionJob(deps: WorkflowDeps, payload: RunJobPayload, job: JobInfo): Promise<void> {
  const log = deps.logger.child({ jobId: job.id, orgId: payload.orgId, executionId: payload.executionId })
  const userId = await runActor(deps.services.db, payload.orgId, payload.executionId)
  if (!userId) {
    log.warn('workflow run has no execution or no member to act as; nothing to do')
    return
  }
  const tenant: Tenant = { orgId: payload.orgId, userId }
  const claim = await claimExecution({ ...deps, logger: log }, tenant, payload.executionId, job.id)
  if (claim.kind !== 'claimed') {
    log.debug({ claim: claim.kind }, 'workflow run not started')
    return
  }
  const outcome = await runClaimed({ ...deps, logger: log }, tenant, claim.execution)
  await finishExecution({ ...deps, logger: log }, tenant, payload.executionId, outcome)
}

async function runClaimed(deps: WorkflowDeps, tenant: Tenant, execution: ExecutionRow): Promise<Outcome> {
  const controller = new AbortController()
  const watcher = watch(deps, tenant, execution, controller)
  try {
    const pipelineId = execution.pipeline_id
    if (!pipelineId) {
      throw notFound('pipeline')
    }
    const pipeline = await inTenant(deps, tenant, (trx) => requirePipeline(trx, { ...tenant, role: 'member' }, pipelineId))
    const ctx: RunContext = { deps, tenant, execution, pipeline, signal: controller.signal }
    const fetched = await fetchStage(ctx)
    const mapped = await processStage(ctx, fetched)
    await storeStage(ctx, mapped)
    await checkRunQuality(ctx, mapped)
    await sinkStage(ctx, mapped)
    return { kind: 'success' }
  } catch (error) {
    const reason: unknown = controller.signal.reason
    if (controller.signal.aborted && reason instanceof RunAbort) {
      // Whatever the stage threw on its way out, the abort is why it stopped.
      return reason.kind === 'timeout' ? { kind: 'timeout' } : { kind: 'cancelled' }
    }
    deps.logger.warn({ err: error }, 'workflow run attempt failed')
    return { kind: 'failed', failure: toRunFailure(error) }
  } finally {
    await watcher.stop()
  }
}

/**
 * Every heartbeatMs: writes the heartbeat and reads back the cancel request and the deadline
 * (another process sets them). A timer also fires at the deadline itself.
 */
function watch(deps: WorkflowDeps, tenant: Tenant, execution: ExecutionRow, controller: AbortController): { stop(): Promise<void> } {
  const abort = (kind: RunAbort['kind']) => {
    if (!controller.signal.aborted) {
      deps.logger.info({ reason: kind }, 'stopping workflow run')
      controller.abort(new RunAbort(kind))
    }
  }
  let deadline: NodeJS.Timeout | undefined
  const arm = (timeoutAt: Date | null) => {
    clearTimeout(deadline)
    if (timeoutAt) {
      // setTimeout caps at 2^31-1 ms; a later deadline is caught by the polling below.
      deadline = setTimeout(() => abort('timeout'), Math.min(Math.max(0, timeoutAt.getTime() - Date.now()), 2 ** 31 - 1))
    }
  }
  arm(execution.timeout_at)
  let armedFor = execution.timeout_at?.getTime()
  let polling: Promise<void> | undefined
  const poll = async () => {
    const row = await inTenant(deps, tenant, (trx) => touchHeartbeat(trx, tenant.orgId, execution.id))
    if (!row || (row.status !== 'InProgress' && row.status !== 'Cancelling')) {
      abort('lost')
    } else if (row.status === 'Cancelling' || row.cancel_requested_at) {
      abort('cancel')
    } else if (row.timeout_at && row.timeout_at.getTime() <= Date.now()) {
      abort('timeout')
    } else if (row.timeout_at?.getTime() !== armedFor) {
      armedFor = row.timeout_at?.getTime()
      arm(row.timeout_at)
    }
  }
  const timer = setInterval(() => {
    polling ??= poll()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'workflow heartbeat failed'))
      .finally(() => {
        polling = undefined
      })
  }, deps.heartbeatMs ?? 1_000)
  return {
    async stop() {
      clearInterval(timer)
      clearTimeout(deadline)
      await polling
    },
  }
}
