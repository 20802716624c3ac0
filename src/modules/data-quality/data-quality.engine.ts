import { checkPattern } from './data-quality.config.ts'
import type { AccuracyConfig, CheckConfig, CompletenessConfig, ConsistencyConfig, FreshnessConfig, ValueType } from './data-quality.schema.ts'

/**
 * Pure evaluation of data quality checks. Batch checks (completeness, accuracy, consistency)
 * judge each row of a batch as passed, failed or skipped (nothing to judge: accuracy on a
 * missing value, which completeness is for); the batch passes when the share of passed rows
 * among the judged ones reaches the threshold. Freshness judges the time since the last data.
 */

export type BatchCheckType = 'completeness' | 'accuracy' | 'consistency'

export interface BatchCheck {
  checkType: BatchCheckType
  config: CheckConfig
  /** 0..1; the batch fails below it. */
  threshold: number
}

export interface RowFailure {
  index: number
  field?: string
  reason: string
  value?: unknown
}

export interface BatchResult {
  rows: number
  checked: number
  passedRows: number
  failedRows: number
  skipped: number
  passRatio: number
  threshold: number
  failures: RowFailure[]
  /** Set when the check had nothing to check against (a consistency check without types). */
  note?: string
}

export interface Verdict<T> {
  passed: boolean
  result: T
}

/** Failing rows kept as examples in a result. */
const MAX_FAILURES = 10
/** Longer strings are not matched against a pattern (bounded regex time on the ingest path). */
const MAX_PATTERN_INPUT = 1000

/** The value at `path`: a key holding the whole path first, else a walk through nested objects. */
export function valueAt(row: unknown, path: string): unknown {
  if (typeof row !== 'object' || row === null) {
    return undefined
  }
  const record = row as Record<string, unknown>
  if (Object.hasOwn(record, path) || !path.includes('.')) {
    return Object.hasOwn(record, path) ? record[path] : undefined
  }
  let current: unknown = row
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, part)) {
      return undefined
    }
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** A value short enough to show in a result. */
function sample(value: unknown): unknown {
  const json = JSON.stringify(value)
  if (json === undefined || json.length <= 100) {
    return value
  }
  return `${json.slice(0, 97)}...`
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

export function hasType(value: unknown, type: ValueType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'timestamp':
      return typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'json':
      return true
  }
}

type RowJudge = (row: unknown) => { outcome: 'pass' } | { outcome: 'skip' } | { outcome: 'fail'; failure: Omit<RowFailure, 'index'> }

function completeness(config: CompletenessConfig): RowJudge {
  return (row) => {
    for (const field of config.fields) {
      const value = valueAt(row, field)
      if (value === undefined || value === null) {
        return { outcome: 'fail', failure: { field, reason: value === null ? 'is null' : 'is missing' } }
      }
    }
    return { outcome: 'pass' }
  }
}

function accuracy(config: AccuracyConfig): RowJudge {
  const regex = config.pattern === undefined ? undefined : checkPattern(config.pattern)
  const allowed = config.allowed
  const fail = (reason: string, value: unknown) => ({ outcome: 'fail' as const, failure: { field: config.field, reason, value: sample(value) } })
  return (row) => {
    const value = valueAt(row, config.field)
    if (value === undefined || value === null) {
      return { outcome: 'skip' }
    }
    if (config.min !== undefined || config.max !== undefined) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return fail('is not a number', value)
      }
      if (config.min !== undefined && value < config.min) {
        return fail(`is below the minimum ${config.min}`, value)
      }
      if (config.max !== undefined && value > config.max) {
        return fail(`is above the maximum ${config.max}`, value)
      }
    }
    if (regex) {
      if (typeof value !== 'string') {
        return fail('is not a string', value)
      }
      regex.lastIndex = 0
      if (value.length > MAX_PATTERN_INPUT || !regex.test(value)) {
        return fail(value.length > MAX_PATTERN_INPUT ? `is longer than ${MAX_PATTERN_INPUT} characters` : 'does not match the pattern', value)
      }
    }
    if (allowed && !allowed.some((candidate) => candidate === value)) {
      return fail('is not one of the allowed values', value)
    }
    return { outcome: 'pass' }
  }
}

function consistency(types: Record<string, ValueType>): RowJudge {
  const entries = Object.entries(types).filter(([, type]) => type !== 'json')
  return (row) => {
    for (const [field, type] of entries) {
      const value = valueAt(row, field)
      // A missing value is completeness's business, not a type mismatch.
      if (value !== undefined && value !== null && !hasType(value, type)) {
        return { outcome: 'fail', failure: { field, reason: `is not of type ${type}`, value: sample(value) } }
      }
    }
    return { outcome: 'pass' }
  }
}

/**
 * Evaluates one batch check over the stored rows of a batch. `mappingTypes` are the field
 * types of the pipeline's mapping, which a consistency check without `fields` uses.
 */
export function evaluateBatch(check: BatchCheck, rows: readonly unknown[], mappingTypes: Record<string, ValueType> = {}): Verdict<BatchResult> {
  let judge: RowJudge
  let note: string | undefined
  switch (check.checkType) {
    case 'completeness':
      judge = completeness(check.config as CompletenessConfig)
      break
    case 'accuracy':
      judge = accuracy(check.config as AccuracyConfig)
      break
    case 'consistency': {
      const config = check.config as ConsistencyConfig
      const types = config.fields ?? mappingTypes
      if (Object.keys(types).length === 0) {
        note = 'No field types to check: the pipeline has no mapping with typed fields and the check names none'
      }
      judge = consistency(types)
      break
    }
  }
  let passedRows = 0
  let skipped = 0
  const failures: RowFailure[] = []
  let failedRows = 0
  rows.forEach((row, index) => {
    const verdict = judge(row)
    if (verdict.outcome === 'pass') {
      passedRows++
    } else if (verdict.outcome === 'skip') {
      skipped++
    } else {
      failedRows++
      if (failures.length < MAX_FAILURES) {
        failures.push({ index, ...verdict.failure })
      }
    }
  })
  const checked = passedRows + failedRows
  // Nothing judged (an empty batch, or no value anywhere) is no evidence of bad data.
  const passRatio = checked === 0 ? 1 : passedRows / checked
  return {
    passed: passRatio >= check.threshold,
    result: { rows: rows.length, checked, passedRows, failedRows, skipped, passRatio, threshold: check.threshold, failures, ...(note !== undefined && { note }) },
  }
}

export interface FreshnessResult {
  lastDataAt: string | null
  /** Age is measured from the latest of the last data, the check's last change and a resume. */
  since: string
  ageMinutes: number
  maxAgeMinutes: number
}

/** Fails when nothing arrived for longer than maxAgeMinutes since `since` (the later of the last data and the grace start). */
export function evaluateFreshness(config: FreshnessConfig, input: { lastDataAt: Date | null; graceFrom: Date; now: Date }): Verdict<FreshnessResult> {
  const since = input.lastDataAt && input.lastDataAt > input.graceFrom ? input.lastDataAt : input.graceFrom
  const ageMinutes = Math.max(0, (input.now.getTime() - since.getTime()) / 60_000)
  return {
    passed: ageMinutes <= config.maxAgeMinutes,
    result: {
      lastDataAt: input.lastDataAt?.toISOString() ?? null,
      since: since.toISOString(),
      ageMinutes: Math.round(ageMinutes * 10) / 10,
      maxAgeMinutes: config.maxAgeMinutes,
    },
  }
}
