import { api } from '../../lib/api.ts'

/** The data quality checks of src/modules/data-quality (data-quality.schema.ts). */

export type CheckType = 'completeness' | 'accuracy' | 'consistency' | 'freshness'
export type OnFailure = 'warn' | 'pause'
export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'timestamp' | 'object' | 'array' | 'json'
export type Trigger = 'batch' | 'run' | 'schedule' | 'manual'

export interface RowFailure {
  index: number
  field?: string
  reason: string
  value?: unknown
}

/** Batch checks: rows, checked, passedRows, … ; freshness: lastDataAt, ageMinutes, maxAgeMinutes; a broken config: error. */
export interface ResultDetails {
  rows?: number
  checked?: number
  passedRows?: number
  failedRows?: number
  skipped?: number
  passRatio?: number
  threshold?: number
  failures?: RowFailure[]
  note?: string
  lastDataAt?: string | null
  ageMinutes?: number
  maxAgeMinutes?: number
  error?: string
  [key: string]: unknown
}

export interface QualityCheck {
  id: string
  pipelineId: string
  name: string
  checkType: CheckType
  config: Record<string, unknown>
  enabled: boolean
  onFailure: OnFailure
  threshold: number
  passed: boolean | null
  result: ResultDetails | null
  executedAt: string | null
  createdAt: string
  updatedAt: string
}

export interface CheckResult {
  id: string
  checkId: string
  trigger: Trigger
  passed: boolean
  result: ResultDetails
  executionId: string | null
  ingestionJobId: string | null
  executedAt: string
}

export interface CheckInput {
  name: string
  checkType: CheckType
  config: Record<string, unknown>
  enabled: boolean
  onFailure: OnFailure
  threshold: number
}

export const CHECK_TYPES: Array<{ value: CheckType; label: string; description: string }> = [
  { value: 'completeness', label: 'Completeness', description: 'Required fields are present and not null' },
  { value: 'accuracy', label: 'Accuracy', description: 'A field’s values are in range, match a pattern or are allowed' },
  { value: 'consistency', label: 'Consistency', description: 'Fields have the expected types' },
  { value: 'freshness', label: 'Freshness', description: 'Records keep arriving' },
]

export const CHECK_TYPE_LABELS: Record<CheckType, string> = { completeness: 'Completeness', accuracy: 'Accuracy', consistency: 'Consistency', freshness: 'Freshness' }
export const ON_FAILURE_LABELS: Record<OnFailure, string> = { warn: 'Warn only', pause: 'Pause the pipeline' }
export const TRIGGER_LABELS: Record<Trigger, string> = { batch: 'Pushed batch', run: 'Pipeline run', schedule: 'Schedule', manual: 'Run now' }
export const VALUE_TYPES: ValueType[] = ['string', 'number', 'integer', 'boolean', 'timestamp', 'object', 'array', 'json']

export const checksPath = (orgId: string, pipelineId: string) => `/orgs/${orgId}/pipelines/${pipelineId}/quality-checks`

export const qualityApi = {
  create: (orgId: string, pipelineId: string, body: CheckInput) => api.post<QualityCheck>(checksPath(orgId, pipelineId), body),
  update: (orgId: string, pipelineId: string, checkId: string, body: Omit<CheckInput, 'checkType'>) => api.patch<QualityCheck>(`${checksPath(orgId, pipelineId)}/${checkId}`, body),
  remove: (orgId: string, pipelineId: string, checkId: string) => api.delete(`${checksPath(orgId, pipelineId)}/${checkId}`),
  run: (orgId: string, pipelineId: string, checkId: string, sampleSize?: number) =>
    api.post<CheckResult>(`${checksPath(orgId, pipelineId)}/${checkId}/run`, undefined, { query: { sampleSize } }),
}

/**
 * The check named by a pipeline's status_reason when a failing check paused it: the server
 * writes `Data quality check "<name>" (<type>) failed: …` (data-quality.batch.ts, .freshness.ts).
 */
export function pausingCheckName(statusReason: string | null): string | undefined {
  const match = /^Data quality check "(.*)" \((completeness|accuracy|consistency|freshness)\) failed/.exec(statusReason ?? '')
  return match?.[1]
}
