import type { Trx } from '../../platform/db.ts'
import { mappingFieldTypes } from './data-quality.config.ts'
import { evaluateBatch, type BatchCheckType, type BatchResult, type Verdict } from './data-quality.engine.ts'
import { enabledBatchChecks, pausePipeline, recordResults, type CheckRow } from './data-quality.repository.ts'
import type { BatchQualityOutcome, CheckConfig, CheckType, OnFailure } from './data-quality.schema.ts'

/** Batch checks on the write paths: each pushed batch (ingest API, webhooks) and each pipeline run. */

export interface BatchQualityInput {
  orgId: string
  pipelineId: string
  /** The rows as stored (after the mapping), in batch order. */
  rows: readonly unknown[]
  /** The pipeline's mapping, whose field types a consistency check without `fields` uses. */
  mapping: { mappings: unknown; transformations: unknown } | null
  trigger: 'batch' | 'run'
  ingestionJobId?: string | null
  executionId?: string | null
}

export const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`

/** Why a failed check paused the pipeline: the pipeline's status_reason, shown in 409 pipeline_paused. */
export function pauseReason(check: Pick<CheckRow, 'name' | 'check_type'>, result: Pick<BatchResult, 'passRatio' | 'threshold' | 'checked'>): string {
  return (
    `Data quality check "${check.name}" (${check.check_type}) failed: ${percent(result.passRatio)} of ${result.checked} checked rows passed, ` +
    `below its threshold of ${percent(result.threshold)}. The batch was stored; fix the data or the check, then resume the pipeline.`
  )
}

/** Evaluates one stored check; a configuration that no longer compiles fails the check without pausing. */
export function judge(check: CheckRow, rows: readonly unknown[], mappingTypes: ReturnType<typeof mappingFieldTypes>): Verdict<BatchResult | { error: string }> & { canPause: boolean } {
  try {
    const verdict = evaluateBatch({ checkType: check.check_type as BatchCheckType, config: check.check_config as CheckConfig, threshold: Number(check.threshold) }, rows, mappingTypes)
    return { ...verdict, canPause: true }
  } catch (error) {
    return { passed: false, result: { error: `The check's configuration is invalid: ${(error as Error).message}` }, canPause: false }
  }
}

/**
 * Runs the pipeline's enabled batch checks over the rows in the caller's transaction, records
 * the results, and pauses the pipeline when a failing check says so (the rows themselves stay
 * stored: the check judges data already accepted). Returns each check's verdict; nothing when
 * the pipeline has no batch checks or the batch no rows.
 */
export async function runBatchChecks(trx: Trx, input: BatchQualityInput): Promise<BatchQualityOutcome[]> {
  if (input.rows.length === 0) {
    return []
  }
  const checks = await enabledBatchChecks(trx, input.orgId, input.pipelineId)
  if (checks.length === 0) {
    return []
  }
  const mappingTypes = input.mapping ? mappingFieldTypes(input.mapping.mappings, input.mapping.transformations) : {}
  const verdicts = checks.map((check) => ({ check, verdict: judge(check, input.rows, mappingTypes) }))
  await recordResults(
    trx,
    { orgId: input.orgId, pipelineId: input.pipelineId, trigger: input.trigger, executionId: input.executionId ?? null, ingestionJobId: input.ingestionJobId ?? null },
    verdicts.map(({ check, verdict }) => ({ checkId: check.id, passed: verdict.passed, result: verdict.result })),
  )
  const pausing = verdicts.find(({ check, verdict }) => !verdict.passed && verdict.canPause && check.on_failure === 'pause')
  if (pausing && 'passRatio' in pausing.verdict.result) {
    await pausePipeline(trx, input.orgId, input.pipelineId, pauseReason(pausing.check, pausing.verdict.result))
  }
  return verdicts.map(({ check, verdict }) => ({
    checkId: check.id,
    name: check.name,
    checkType: check.check_type as CheckType,
    passed: verdict.passed,
    passRatio: 'passRatio' in verdict.result ? verdict.result.passRatio : 0,
    onFailure: check.on_failure as OnFailure,
  }))
}
