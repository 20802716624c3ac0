import { sql } from 'kysely'
import type pino from 'pino'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { closeOpenFetches, closeOpenStages, resetStages, type StageDefinition, type StageStatus } from './run-history.repository.ts'
import { enqueueRun } from './workflows.queue.ts'
import {
  acquireWorkflowSlot,
  findWorkflowByPipeline,
  insertExecution,
  insertWorkflowIfMissing,
  lockExecution,
  lockWorkflow,
  markPipelineRun,
  nextRunNumber,
  refreshWorkflowStatistics,
  updateExecution,
  type ExecutionRow,
  type ExecutionStatus,
  type WorkflowRow,
} from './workflows.repository.ts'

/**
 * The state machine of an execution: Queued → InProgress → Success | Failed | Timeout, with
 * Cancelling → Cancelled on request and Queued again (retry_count + 1, after a backoff) when
 * an attempt fails and retries remain. Every transition locks the execution row first, so
 * the worker, the API and the sweeper never overwrite each other's ending.
 */

export interface WorkflowDeps {
  services: Pick<Services, 'db' | 'box' | 'settings'>
  logger: pino.Logger
  /** How often a running job writes its heartbeat and looks for a cancel request (default 1 s). */
  heartbeatMs?: number
  /** First retry delay; attempt n waits retryBaseMs × 2^n (default 10 s). */
  retryBaseMs?: number
  /** How long a run without a free slot waits before it asks again (default 5 s). */
  slotWaitMs?: number
  /** A heartbeat younger than this belongs to a live worker (default 60 s). */
  liveHeartbeatMs?: number
}

export interface Tenant {
  orgId: string
  userId: string
}

export const STAGES: StageDefinition[] = [
  { name: 'Fetching', type: 'fetching', order: 1 },
  { name: 'Processing', type: 'processing', order: 2 },
  { name: 'Storing', type: 'storing', order: 3 },
  { name: 'Sinks', type: 'sinks', order: 4 },
]

/**
 * Why a run failed: a stable code (stored as error_code) and a message for people. A failure
 * of the pipeline's own configuration is not retried: running it again can't help.
 */
export class RunFailure extends Error {
  readonly retryable: boolean

  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, { cause: options.cause })
    this.retryable = options.retryable ?? true
  }
}

export function toRunFailure(error: unknown): RunFailure {
  if (error instanceof RunFailure) {
    return error
  }
  if (error instanceof AppError) {
    return new RunFailure(error.code, error.message, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new RunFailure('internal_error', message, { cause: error })
}

export type Outcome =
  | { kind: 'success' }
  | { kind: 'cancelled' }
  | { kind: 'timeout' }
  | { kind: 'failed'; failure: RunFailure }

export function inTenant<T>(deps: WorkflowDeps, tenant: Tenant, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return withContext(deps.services.db, { orgId: tenant.orgId, userId: tenant.userId }, fn)
}

export interface NewExecution {
  pipeline: { id: string; name: string; cron_schedule: string | null }
  triggeredBy: 'manual' | 'schedule' | 'api' | 'webhook'
  triggerUserId: string | null
  priority?: number | undefined
  context?: Record<string, unknown> | undefined
  parentExecutionId?: string | null | undefined
}

/** The pipeline's workflow, created on first use with the instance's default timeout. */
export async function ensureWorkflow(trx: Trx, settings: WorkflowDeps['services']['settings'], tenant: Tenant, pipeline: NewExecution['pipeline']): Promise<WorkflowRow> {
  const existing = await findWorkflowByPipeline(trx, tenant.orgId, pipeline.id)
  if (existing) {
    return existing
  }
  await insertWorkflowIfMissing(trx, {
    organization_id: tenant.orgId,
    pipeline_id: pipeline.id,
    name: pipeline.name.slice(0, 200),
    schedule_cron: pipeline.cron_schedule,
    timeout_minutes: await settings.integer('default_workflow_timeout', 60),
    created_by: tenant.userId,
    updated_by: tenant.userId,
  })
  const created = await findWorkflowByPipeline(trx, tenant.orgId, pipeline.id)
  if (!created) {
    throw new Error(`workflow of pipeline ${pipeline.id} vanished`)
  }
  return created
}

/**
 * Creates a Queued execution and its job in the caller's transaction: both commit together,
 * or neither does. The run number comes from under the workflow's row lock.
 */
export async function createExecution(trx: Trx, settings: WorkflowDeps['services']['settings'], tenant: Tenant, input: NewExecution): Promise<ExecutionRow> {
  const workflow = await ensureWorkflow(trx, settings, tenant, input.pipeline)
  await lockWorkflow(trx, tenant.orgId, workflow.id)
  const execution = await insertExecution(trx, {
    organization_id: tenant.orgId,
    workflow_id: workflow.id,
    pipeline_id: input.pipeline.id,
    run_number: await nextRunNumber(trx, tenant.orgId, workflow.id),
    status: 'Queued',
    priority: input.priority ?? 0,
    scheduled_at: sql<Date>`now()`,
    total_stages: STAGES.length,
    triggered_by: input.triggeredBy,
    trigger_user_id: input.triggerUserId,
    execution_context: JSON.stringify(input.context ?? {}),
    parent_execution_id: input.parentExecutionId ?? null,
  })
  await enqueueRun(trx, { orgId: tenant.orgId, executionId: execution.id }, { priority: execution.priority })
  return execution
}

export type Claim =
  | { kind: 'gone' }
  | { kind: 'elsewhere' }
  | { kind: 'waiting' }
  | { kind: 'claimed'; execution: ExecutionRow; workflow: WorkflowRow }

/**
 * Takes a Queued execution into InProgress if an instance-wide slot is free; otherwise the
 * job re-queues itself a few seconds later and the run stays Queued. An execution already
 * InProgress means an earlier attempt of this job died with its worker (graphile-worker
 * re-runs a job only once its worker is gone): that attempt is settled as failed, and
 * retried if retries remain. A fresh heartbeat from another job means a live worker has it.
 */
export async function claimExecution(deps: WorkflowDeps, tenant: Tenant, executionId: string, jobId: string): Promise<Claim> {
  return inTenant(deps, tenant, async (trx) => {
    const execution = await lockExecution(trx, tenant.orgId, executionId)
    if (!execution) {
      return { kind: 'gone' }
    }
    const status = execution.status as ExecutionStatus
    if (status === 'InProgress' || status === 'Cancelling') {
      const heartbeat = (execution.heartbeat_at ?? execution.started_at ?? execution.updated_at).getTime()
      if (execution.worker_job !== jobId && Date.now() - heartbeat < (deps.liveHeartbeatMs ?? 60_000)) {
        return { kind: 'elsewhere' }
      }
      deps.logger.warn({ executionId, previousJob: execution.worker_job }, 'workflow run found in progress from a dead attempt')
      const outcome: Outcome = status === 'Cancelling'
        ? { kind: 'cancelled' }
        : { kind: 'failed', failure: new RunFailure('worker_lost', `The worker running this attempt stopped during ${execution.current_stage ?? 'the run'} (killed or crashed)`) }
      await finishLocked(trx, deps, execution, outcome)
      return { kind: 'gone' }
    }
    if (status !== 'Queued' && status !== 'Created') {
      return { kind: 'gone' }
    }
    if (!(await acquireWorkflowSlot(trx))) {
      await enqueueRun(trx, { orgId: tenant.orgId, executionId }, { runAt: new Date(Date.now() + (deps.slotWaitMs ?? 5_000)), priority: execution.priority })
      return { kind: 'waiting' }
    }
    const workflow = await lockWorkflow(trx, tenant.orgId, execution.workflow_id)
    if (!workflow) {
      return { kind: 'gone' }
    }
    const claimed = await updateExecution(trx, tenant.orgId, executionId, {
      status: 'InProgress',
      started_at: sql<Date>`coalesce(started_at, now())`,
      timeout_at: sql<Date>`now() + make_interval(mins => ${workflow.timeout_minutes})`,
      heartbeat_at: sql<Date>`now()`,
      worker_job: jobId,
      cancel_requested_at: null,
      current_stage: STAGES[0]?.name ?? null,
      current_stage_order: 0,
      stages_completed: 0,
      progress_percentage: '0',
      total_stages: STAGES.length,
      error_message: null,
      error_code: null,
      error_stack: null,
    })
    await resetStages(trx, tenant.orgId, executionId, STAGES, execution.retry_count)
    if (execution.pipeline_id) {
      await markPipelineRun(trx, tenant.orgId, execution.pipeline_id)
    }
    return claimed ? { kind: 'claimed', execution: claimed, workflow } : { kind: 'gone' }
  })
}

/** Ends (or re-queues) a running execution; a run another party already ended is left as it is. */
export async function finishExecution(deps: WorkflowDeps, tenant: Tenant, executionId: string, outcome: Outcome): Promise<ExecutionRow | undefined> {
  return inTenant(deps, tenant, async (trx) => {
    const execution = await lockExecution(trx, tenant.orgId, executionId)
    return execution ? finishLocked(trx, deps, execution, outcome) : undefined
  })
}

const STAGE_STATUS: Record<Outcome['kind'], StageStatus> = { success: 'Success', cancelled: 'Cancelled', timeout: 'Timeout', failed: 'Failed' }

/** finishExecution with the execution row already locked by the caller's transaction. */
export async function finishLocked(trx: Trx, deps: WorkflowDeps, execution: ExecutionRow, outcome: Outcome): Promise<ExecutionRow | undefined> {
  const orgId = execution.organization_id
  if (execution.status !== 'InProgress' && execution.status !== 'Cancelling') {
    return execution
  }
  const workflow = await lockWorkflow(trx, orgId, execution.workflow_id)
  const failure = outcome.kind === 'failed' ? outcome.failure : undefined
  // A failed attempt of a run someone asked to cancel ends cancelled, not retried.
  const effective: Outcome = failure && execution.status === 'Cancelling' ? { kind: 'cancelled' } : outcome
  const timeoutMessage = `The run exceeded its timeout of ${workflow?.timeout_minutes ?? '?'} minutes`
  const message = failure?.message ?? (effective.kind === 'timeout' ? timeoutMessage : effective.kind === 'cancelled' ? 'Cancelled on request' : null)
  await closeOpenStages(trx, orgId, execution.id, STAGE_STATUS[effective.kind], message)
  if (effective.kind !== 'success') {
    await closeOpenFetches(trx, orgId, execution.id, effective.kind === 'failed' ? 'Failed' : 'Cancelled', message)
  }

  if (effective.kind === 'failed' && effective.failure.retryable && workflow && execution.retry_count < workflow.max_retries) {
    const delayMs = (deps.retryBaseMs ?? 10_000) * 2 ** execution.retry_count
    const runAt = new Date(Date.now() + delayMs)
    const queued = await updateExecution(trx, orgId, execution.id, {
      status: 'Queued',
      retry_count: execution.retry_count + 1,
      scheduled_at: runAt,
      worker_job: null,
      heartbeat_at: null,
      timeout_at: null,
      cancel_requested_at: null,
      error_message: effective.failure.message.slice(0, 10_000),
      error_code: effective.failure.code.slice(0, 50),
      error_stack: effective.failure.stack ?? null,
    })
    await enqueueRun(trx, { orgId, executionId: execution.id }, { runAt, priority: execution.priority })
    deps.logger.info({ executionId: execution.id, retry: execution.retry_count + 1, delayMs, code: effective.failure.code }, 'workflow run failed; retry scheduled')
    return queued
  }

  const status: ExecutionStatus = { success: 'Success', cancelled: 'Cancelled', timeout: 'Timeout', failed: 'Failed' }[effective.kind] as ExecutionStatus
  const ended = await updateExecution(trx, orgId, execution.id, {
    status,
    completed_at: sql<Date>`now()`,
    duration_minutes: sql<string>`round((extract(epoch from now() - coalesce(started_at, now())) / 60)::numeric, 4)`,
    ...(effective.kind === 'success' ? { progress_percentage: '100', current_stage: null } : {}),
    ...(effective.kind === 'failed'
      ? { error_message: effective.failure.message.slice(0, 10_000), error_code: effective.failure.code.slice(0, 50), error_stack: effective.failure.stack ?? null }
      : effective.kind === 'timeout'
        ? { error_message: timeoutMessage, error_code: 'timeout', error_stack: null }
        : {}),
  })
  await refreshWorkflowStatistics(trx, orgId, execution.workflow_id)
  deps.logger.info({ executionId: execution.id, status, code: failure?.code }, 'workflow run ended')
  return ended
}
