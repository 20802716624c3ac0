import { sql } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { SettingsCache } from '../../platform/settings-cache.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { requirePipeline } from '../pipelines/pipelines.service.ts'
import { closeOpenStages, listContents, listFetching, listProcessing, listStages } from './run-history.repository.ts'
import { createExecution, ensureWorkflow } from './workflow.lifecycle.ts'
import {
  toContentResponse,
  toFetchingResponse,
  toProcessingResponse,
  toRunResponse,
  toStageResponse,
  toStatisticsResponse,
  toTemplateResponse,
  toWorkflowResponse,
} from './workflows.mapper.ts'
import { removeRunJob } from './workflows.queue.ts'
import {
  findExecution,
  findWorkflowByPipeline,
  listExecutions,
  listTemplates as listTemplateRows,
  lockExecution,
  refreshWorkflowStatistics,
  updateExecution,
  updateWorkflow,
  workflowStatistics,
  type ExecutionRow,
  type ExecutionStatus,
} from './workflows.repository.ts'
import type {
  RunCreatedResponse,
  RunDetailResponse,
  RunListQuery,
  RunResponse,
  StatisticsQuery,
  StatisticsResponse,
  TemplateResponse,
  TriggerRunBody,
  UpdateWorkflowBody,
  WorkflowResponse,
} from './workflows.schema.ts'

/** Pipeline runs through the API. The routes check roles; RLS scopes every row to the organization. */

export type TriggerSource = 'manual' | 'api'

/** The most fetched contents a run page lists. */
const CONTENTS_SHOWN = 500
const RETRYABLE: ExecutionStatus[] = ['Failed', 'Cancelled', 'Timeout']

const created = (row: ExecutionRow): RunCreatedResponse => ({ id: row.id, runNumber: row.run_number, status: row.status as RunCreatedResponse['status'], parentExecutionId: row.parent_execution_id })

async function requireRun(db: Db, actor: OrgActor, runId: string): Promise<ExecutionRow> {
  const run = await findExecution(db, actor.orgId, runId)
  if (!run) {
    throw notFound('run')
  }
  return run
}

function assertRunnable<T extends { status: string; data_source_id: string | null }>(pipeline: T): T {
  if (pipeline.status === 'paused') {
    throw new AppError('pipeline_paused', 409, 'This pipeline is paused; resume it to run it')
  }
  if (!pipeline.data_source_id) {
    throw new AppError('conflict', 409, 'This pipeline has no data source to fetch from; push its data with the ingest API instead')
  }
  return pipeline
}

/**
 * Queues a run of the pipeline (owners, admins, members; API keys with the write scope):
 * the execution and its job commit together. A paused pipeline (409 pipeline_paused) or one
 * without a data source (409 conflict: it has nothing to fetch) does not run.
 */
export async function triggerRun(trx: Trx, settings: SettingsCache, actor: OrgActor, pipelineId: string, body: TriggerRunBody, via: TriggerSource): Promise<RunCreatedResponse> {
  const pipeline = assertRunnable(await requirePipeline(trx, actor, pipelineId))
  const execution = await createExecution(trx, settings, actor, {
    pipeline,
    triggeredBy: via,
    triggerUserId: actor.userId,
    priority: body.priority,
    context: body.context,
  })
  return created(execution)
}

/**
 * Queues a run of a polling pipeline whose webhook was called, acting as the user the webhook
 * acts as (see private.pipeline_for_webhook). The provider's JSON, if any, is kept in the
 * execution context (up to 16 KB) so a run page shows what started it.
 */
export async function triggerRunByWebhook(trx: Trx, settings: SettingsCache, actor: OrgActor, pipelineId: string, received: { records: unknown[]; bytes: number }): Promise<RunCreatedResponse> {
  const pipeline = assertRunnable(await requirePipeline(trx, actor, pipelineId))
  const { records, bytes } = received
  const webhook = bytes === 0 ? {} : bytes <= 16_384 ? { payload: records.length === 1 ? records[0] : records } : { payloadBytes: bytes, records: records.length }
  const execution = await createExecution(trx, settings, actor, {
    pipeline,
    triggeredBy: 'webhook',
    triggerUserId: null,
    context: { webhook },
  })
  return created(execution)
}

/** A pipeline's runs, newest first. */
export async function listRuns(db: Db, actor: OrgActor, pipelineId: string, query: RunListQuery): Promise<RunResponse[]> {
  await requirePipeline(db, actor, pipelineId)
  const rows = await listExecutions(db, actor.orgId, pipelineId, {
    status: query.status as ExecutionStatus | undefined,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    limit: query.limit ?? 50,
    offset: query.offset ?? 0,
  })
  return rows.map(toRunResponse)
}

/** A run with its stages, fetching and processing history and fetched contents (all attempts). */
export async function getRun(db: Db, actor: OrgActor, runId: string): Promise<RunDetailResponse> {
  const run = await requireRun(db, actor, runId)
  const [stages, fetching, processing, contents, workflow] = await Promise.all([
    listStages(db, actor.orgId, run.id),
    listFetching(db, actor.orgId, run.id),
    listProcessing(db, actor.orgId, run.id),
    listContents(db, actor.orgId, run.id, CONTENTS_SHOWN),
    run.pipeline_id ? findWorkflowByPipeline(db, actor.orgId, run.pipeline_id) : undefined,
  ])
  return {
    ...toRunResponse(run),
    maxRetries: workflow?.max_retries ?? null,
    stages: stages.map(toStageResponse),
    fetchingHistory: fetching.map(toFetchingResponse),
    processingHistory: processing.map(toProcessingResponse),
    fetchedContents: contents.map(toContentResponse),
  }
}

/**
 * Cancels a run. A queued one (first attempt or waiting for a retry) ends Cancelled at once
 * and its job is dropped; a running one becomes Cancelling, and its worker stops at the next
 * page or stage and ends it Cancelled, freeing its slot. A run already ended answers 409.
 */
export async function cancelRun(trx: Trx, actor: OrgActor, runId: string): Promise<RunCreatedResponse> {
  const run = await lockExecution(trx, actor.orgId, runId)
  if (!run) {
    throw notFound('run')
  }
  switch (run.status as ExecutionStatus) {
    case 'Cancelling':
      return created(run)
    case 'InProgress': {
      const cancelling = await updateExecution(trx, actor.orgId, run.id, { status: 'Cancelling', cancel_requested_at: sql<Date>`now()` })
      return created(cancelling ?? run)
    }
    case 'Created':
    case 'Queued': {
      const cancelled = await updateExecution(trx, actor.orgId, run.id, { status: 'Cancelled', cancel_requested_at: sql<Date>`now()`, completed_at: sql<Date>`now()` })
      await closeOpenStages(trx, actor.orgId, run.id, 'Cancelled', 'Cancelled on request')
      await removeRunJob(trx, run.id)
      await refreshWorkflowStatistics(trx, actor.orgId, run.workflow_id)
      return created(cancelled ?? run)
    }
    case 'Success':
    case 'Failed':
    case 'Cancelled':
    case 'Timeout':
      throw new AppError('conflict', 409, `Run #${run.run_number} already ended (${run.status})`)
  }
  throw new Error(`unexpected run status ${run.status}`)
}

/** Runs a failed, cancelled or timed-out run again from the start, as a new execution pointing at the original. */
export async function retryRun(trx: Trx, settings: SettingsCache, actor: OrgActor, runId: string, via: TriggerSource): Promise<RunCreatedResponse> {
  const run = await requireRun(trx, actor, runId)
  if (!RETRYABLE.includes(run.status as ExecutionStatus)) {
    throw new AppError('conflict', 409, `Only a failed, cancelled or timed-out run can be retried; run #${run.run_number} is ${run.status}`)
  }
  if (!run.pipeline_id) {
    throw notFound('pipeline')
  }
  const pipeline = assertRunnable(await requirePipeline(trx, actor, run.pipeline_id))
  const execution = await createExecution(trx, settings, actor, {
    pipeline,
    triggeredBy: via,
    triggerUserId: actor.userId,
    priority: run.priority,
    context: run.execution_context as Record<string, unknown>,
    parentExecutionId: run.parent_execution_id ?? run.id,
  })
  return created(execution)
}

/** get_workflow_statistics for the pipeline's workflow over [from, to], with the trend against the previous period. */
export async function getStatistics(db: Db, actor: OrgActor, pipelineId: string, query: StatisticsQuery): Promise<StatisticsResponse> {
  await requirePipeline(db, actor, pipelineId)
  const from = query.from ? new Date(query.from) : undefined
  const to = query.to ? new Date(query.to) : undefined
  if (from && to && from.getTime() >= to.getTime()) {
    throw new AppError('validation_failed', 400, 'querystring.from must be before querystring.to', { details: [{ field: 'querystring.from', message: 'must be before to' }] })
  }
  const workflow = await findWorkflowByPipeline(db, actor.orgId, pipelineId)
  // A pipeline that never ran has no workflow yet: the same zeros, over the same period.
  const row = await workflowStatistics(db, workflow?.id ?? '00000000-0000-0000-0000-000000000000', from, to)
  return toStatisticsResponse(row, { pipelineId, workflowId: workflow?.id ?? null })
}

/**
 * The pipeline's workflow settings and statistics, created with the defaults on first use;
 * a viewer (who can't create it) gets 404 until the pipeline has a workflow.
 */
export async function getWorkflow(trx: Trx, settings: SettingsCache, actor: OrgActor, pipelineId: string): Promise<WorkflowResponse> {
  const pipeline = await requirePipeline(trx, actor, pipelineId)
  const existing = await findWorkflowByPipeline(trx, actor.orgId, pipeline.id)
  if (existing) {
    return toWorkflowResponse(existing)
  }
  if (actor.role === 'viewer') {
    throw notFound('workflow')
  }
  return toWorkflowResponse(await ensureWorkflow(trx, settings, actor, pipeline))
}

/** Changes the timeout, retries or description of the pipeline's workflow (owners, admins, members). */
export async function updateWorkflowSettings(trx: Trx, settings: SettingsCache, actor: OrgActor, pipelineId: string, body: UpdateWorkflowBody): Promise<WorkflowResponse> {
  const pipeline = await requirePipeline(trx, actor, pipelineId)
  const workflow = await ensureWorkflow(trx, settings, actor, pipeline)
  const updated = await updateWorkflow(trx, actor.orgId, workflow.id, {
    ...(body.timeoutMinutes !== undefined && { timeout_minutes: body.timeoutMinutes }),
    ...(body.maxRetries !== undefined && { max_retries: body.maxRetries }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.category !== undefined && { category: body.category }),
    ...(body.tags !== undefined && { tags: body.tags }),
    version: sql<number>`version + 1`,
    updated_by: actor.userId,
  })
  if (!updated) {
    throw notFound('workflow')
  }
  return toWorkflowResponse(updated)
}

/** Seed 004's workflow templates (instance-wide). */
export async function listTemplates(db: Db): Promise<TemplateResponse[]> {
  return (await listTemplateRows(db)).map(toTemplateResponse)
}
