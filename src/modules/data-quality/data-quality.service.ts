import { randomUUID } from 'node:crypto'
import type { Updateable } from 'kysely'
import type { DB, Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { judge } from './data-quality.batch.ts'
import { mappingFieldTypes, validateCheckConfig } from './data-quality.config.ts'
import { evaluateFreshnessCheck } from './data-quality.freshness.ts'
import {
  deleteCheck as deleteCheckRow,
  findCheck,
  findPipelineForChecks,
  insertCheck,
  latestRows,
  listChecks as listCheckRows,
  listResults as listResultRows,
  recordResults,
  updateCheck as updateCheckRow,
  type CheckRow,
  type PipelineForChecks,
  type ResultRow,
} from './data-quality.repository.ts'
import type {
  CheckResponse,
  CheckType,
  ConsistencyConfig,
  CreateCheckBody,
  OnFailure,
  ResultResponse,
  ResultsQuery,
  RunCheckQuery,
  UpdateCheckBody,
} from './data-quality.schema.ts'

const asObject = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null

export function toCheckResponse(row: CheckRow): CheckResponse {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    dataSourceId: row.data_source_id,
    name: row.name,
    checkType: row.check_type as CheckType,
    config: asObject(row.check_config) ?? {},
    enabled: row.enabled,
    onFailure: row.on_failure as OnFailure,
    threshold: Number(row.threshold),
    passed: row.passed,
    result: asObject(row.result),
    executedAt: row.executed_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

type ResultLike = Pick<ResultRow, 'id' | 'check_id' | 'trigger' | 'passed' | 'execution_id' | 'ingestion_job_id' | 'executed_at'> & { result: unknown }

export function toResultResponse(row: ResultLike): ResultResponse {
  return {
    id: row.id,
    checkId: row.check_id,
    trigger: row.trigger as ResultResponse['trigger'],
    passed: row.passed,
    result: asObject(row.result) ?? {},
    executionId: row.execution_id,
    ingestionJobId: row.ingestion_job_id,
    executedAt: row.executed_at.toISOString(),
  }
}

async function requirePipeline(db: Db, actor: OrgActor, pipelineId: string): Promise<PipelineForChecks> {
  const pipeline = await findPipelineForChecks(db, actor.orgId, pipelineId)
  if (!pipeline) {
    throw notFound('pipeline')
  }
  return pipeline
}

async function requireCheck(db: Db, actor: OrgActor, pipelineId: string, checkId: string): Promise<CheckRow> {
  const check = await findCheck(db, actor.orgId, pipelineId, checkId)
  if (!check) {
    throw notFound('data quality check')
  }
  return check
}

/** A consistency check without `fields` checks the mapping's types: it needs a mapping that has some. */
function checkConsistencySource(pipeline: PipelineForChecks, checkType: CheckType, config: unknown): void {
  if (checkType !== 'consistency' || (config as ConsistencyConfig).fields !== undefined) {
    return
  }
  if (Object.keys(mappingFieldTypes(pipeline.mappings, pipeline.transformations)).length === 0) {
    throw new AppError('validation_failed', 400, "body.config.fields is required: the pipeline has no mapping with typed fields to check against", {
      details: [{ field: 'body.config.fields', message: 'is required when the pipeline has no typed mapping' }],
    })
  }
}

async function withUniqueName<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('conflict', 409, 'The pipeline already has a data quality check with this name', { cause: error, details: [{ field: 'body.name', message: 'is already taken' }] })
    }
    throw error
  }
}

export async function listChecks(db: Db, actor: OrgActor, pipelineId: string): Promise<CheckResponse[]> {
  await requirePipeline(db, actor, pipelineId)
  return (await listCheckRows(db, actor.orgId, pipelineId)).map(toCheckResponse)
}

export async function getCheck(db: Db, actor: OrgActor, pipelineId: string, checkId: string): Promise<CheckResponse> {
  return toCheckResponse(await requireCheck(db, actor, pipelineId, checkId))
}

/** Adds a check to a pipeline (owners, admins, members; the route checks). Its config is validated against its type. */
export async function createCheck(db: Db, actor: OrgActor, pipelineId: string, input: CreateCheckBody): Promise<CheckResponse> {
  const pipeline = await requirePipeline(db, actor, pipelineId)
  const config = validateCheckConfig(input.checkType, input.config)
  checkConsistencySource(pipeline, input.checkType, config)
  const id = randomUUID()
  await withUniqueName(() =>
    insertCheck(db, {
      id,
      organization_id: actor.orgId,
      pipeline_id: pipelineId,
      data_source_id: pipeline.data_source_id,
      name: input.name.trim(),
      check_type: input.checkType,
      check_config: JSON.stringify(config),
      enabled: input.enabled ?? true,
      on_failure: input.onFailure ?? 'warn',
      threshold: input.threshold ?? 1,
      created_by: actor.userId,
    }),
  )
  return getCheck(db, actor, pipelineId, id)
}

/** Changes a check; its type is fixed. A change restarts a freshness check's grace period. */
export async function updateCheck(db: Db, actor: OrgActor, pipelineId: string, checkId: string, input: UpdateCheckBody): Promise<CheckResponse> {
  const pipeline = await requirePipeline(db, actor, pipelineId)
  const current = await requireCheck(db, actor, pipelineId, checkId)
  const checkType = current.check_type as CheckType
  const values: Updateable<DB['ingest.data_quality_checks']> = {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(input.enabled !== undefined && { enabled: input.enabled }),
    ...(input.onFailure !== undefined && { on_failure: input.onFailure }),
    ...(input.threshold !== undefined && { threshold: input.threshold }),
  }
  if (input.config !== undefined) {
    const config = validateCheckConfig(checkType, input.config)
    checkConsistencySource(pipeline, checkType, config)
    values.check_config = JSON.stringify(config)
  }
  await withUniqueName(() => updateCheckRow(db, actor.orgId, checkId, values))
  return getCheck(db, actor, pipelineId, checkId)
}

export async function deleteCheck(db: Db, actor: OrgActor, pipelineId: string, checkId: string): Promise<void> {
  if (!(await deleteCheckRow(db, actor.orgId, pipelineId, checkId))) {
    throw notFound('data quality check')
  }
}

/** The check's results, newest first. */
export async function listResults(db: Db, actor: OrgActor, pipelineId: string, checkId: string, query: ResultsQuery): Promise<ResultResponse[]> {
  await requireCheck(db, actor, pipelineId, checkId)
  return (await listResultRows(db, actor.orgId, checkId, query.limit ?? 50)).map(toResultResponse)
}

/**
 * Evaluates a check now: a batch check over the pipeline's newest stored rows, a freshness
 * check over the time since its last data. The result is recorded (trigger `manual`) and
 * becomes the check's latest, but a manual run never pauses the pipeline: it judges data
 * that was already accepted, perhaps long ago.
 */
export async function runCheck(trx: Trx, actor: OrgActor, pipelineId: string, checkId: string, input: RunCheckQuery): Promise<ResultResponse> {
  const pipeline = await requirePipeline(trx, actor, pipelineId)
  const check = await requireCheck(trx, actor, pipelineId, checkId)
  const context = { orgId: actor.orgId, pipelineId, trigger: 'manual' as const }
  if (check.check_type === 'freshness') {
    const evaluation = await evaluateFreshnessCheck(trx, check, pipeline.status, { trigger: 'manual' })
    const recorded = evaluation.recorded
    if (!recorded) {
      throw new Error('a manual freshness run recorded no result')
    }
    return toResultResponse({ ...recorded, check_id: check.id, trigger: 'manual', passed: evaluation.passed, result: evaluation.result, execution_id: null, ingestion_job_id: null })
  }
  const rows = await latestRows(trx, actor.orgId, pipelineId, input.sampleSize ?? 1000)
  const verdict = judge(check, rows, mappingFieldTypes(pipeline.mappings, pipeline.transformations))
  const result = { ...verdict.result, sample: 'newest stored rows' }
  const [recorded] = await recordResults(trx, context, [{ checkId: check.id, passed: verdict.passed, result }])
  if (!recorded) {
    throw new Error('a manual run recorded no result')
  }
  return toResultResponse({ ...recorded, trigger: 'manual', passed: verdict.passed, result, execution_id: null, ingestion_job_id: null })
}
