import { ApiError, type FieldErrors } from '../../lib/api.ts'
import { fieldPath } from '../../lib/fieldPaths.ts'
import type { Rule } from '../../lib/validate.ts'
import type { CheckInput, CheckType, OnFailure, QualityCheck, ResultDetails, ValueType } from './api.ts'

/** The quality check form's state and rules, kept pure so they are tested without a browser. */

export interface TypePair {
  field: string
  type: ValueType
}

export interface CheckDraft {
  name: string
  checkType: CheckType
  enabled: boolean
  onFailure: OnFailure
  /** Percent, 0–100; the API takes a ratio. */
  threshold: string
  /** Completeness: one field per line. */
  fields: string
  field: string
  min: string
  max: string
  pattern: string
  /** Accuracy: one value per line. */
  allowed: string
  useMapping: boolean
  pairs: TypePair[]
  maxAgeMinutes: string
}

export const EMPTY_CHECK: CheckDraft = {
  name: '', checkType: 'completeness', enabled: true, onFailure: 'warn', threshold: '100', fields: '', field: '', min: '', max: '', pattern: '', allowed: '', useMapping: false, pairs: [{ field: '', type: 'string' }], maxAgeMinutes: '60',
}

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '')
const isNumber = (text: string) => text.trim() !== '' && Number.isFinite(Number(text.trim()))
const str = (value: unknown) => (value === undefined || value === null ? '' : String(value))

/** An allowed value as typed: numbers, true, false, null and "quoted" text are read as JSON; anything else is text. */
export function parseAllowed(line: string): string | number | boolean | null {
  if (/^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null|".*")$/.test(line)) {
    try {
      return JSON.parse(line) as string | number | boolean | null
    } catch {
      return line
    }
  }
  return line
}

function showAllowed(value: unknown): string {
  return typeof value === 'string' && parseAllowed(value) !== value ? JSON.stringify(value) : String(value)
}

/** The form's state for an existing check. */
export function draftFromCheck(check: QualityCheck): CheckDraft {
  const c = check.config
  const types = c.fields && typeof c.fields === 'object' && !Array.isArray(c.fields) ? (c.fields as Record<string, ValueType>) : undefined
  return {
    ...EMPTY_CHECK,
    name: check.name,
    checkType: check.checkType,
    enabled: check.enabled,
    onFailure: check.onFailure,
    threshold: String(Math.round(check.threshold * 1000) / 10),
    fields: Array.isArray(c.fields) ? c.fields.map(String).join('\n') : '',
    field: str(c.field),
    min: str(c.min),
    max: str(c.max),
    pattern: str(c.pattern),
    allowed: Array.isArray(c.allowed) ? c.allowed.map(showAllowed).join('\n') : '',
    useMapping: check.checkType === 'consistency' && types === undefined,
    pairs: types ? Object.entries(types).map(([field, type]) => ({ field, type })) : EMPTY_CHECK.pairs,
    maxAgeMinutes: str(c.maxAgeMinutes) || EMPTY_CHECK.maxAgeMinutes,
  }
}

/** A regular expression the server accepts: valid with the `u` flag, no back-references (see data-quality.config.ts). */
function patternProblem(pattern: string): string | undefined {
  if (pattern.length > 200) {
    return 'Use at most 200 characters'
  }
  if (/\\[1-9]|\\k</.test(pattern)) {
    return 'Back-references (\\1, \\k<name>) are not allowed'
  }
  try {
    new RegExp(pattern, 'u')
    return undefined
  } catch (error) {
    return `This is not a valid regular expression: ${(error as Error).message}`
  }
}

/** The rules of CreateCheckBody and validateCheckConfig, keyed as the form names its inputs. */
export function checkRules(d: CheckDraft): Rule[] {
  const threshold = Number(d.threshold)
  const rules: Rule[] = [
    ['name', d.name.trim() !== '', 'Enter a name'],
    ['name', d.name.trim().length <= 200, 'Use at most 200 characters'],
    ['threshold', d.checkType === 'freshness' || (isNumber(d.threshold) && threshold >= 0 && threshold <= 100), 'Use a percentage between 0 and 100'],
  ]
  switch (d.checkType) {
    case 'completeness': {
      const fields = lines(d.fields)
      return [
        ...rules,
        ['config.fields', fields.length > 0, 'Enter at least one field'],
        ['config.fields', fields.length <= 100, 'Use at most 100 fields'],
        ['config.fields', new Set(fields).size === fields.length, 'List each field once'],
        ['config.fields', fields.every((field) => field.length <= 255), 'Field names have at most 255 characters'],
      ]
    }
    case 'accuracy': {
      const pattern = d.pattern.trim() === '' ? undefined : patternProblem(d.pattern)
      return [
        ...rules,
        ['config.field', d.field.trim() !== '' && d.field.trim().length <= 255, 'Enter the field to check'],
        ['config', [d.min, d.max, d.pattern, d.allowed].some((value) => value.trim() !== ''), 'Set a minimum, a maximum, a pattern or allowed values'],
        ['config.min', d.min.trim() === '' || isNumber(d.min), 'Enter a number'],
        ['config.max', d.max.trim() === '' || isNumber(d.max), 'Enter a number'],
        ['config.min', !isNumber(d.min) || !isNumber(d.max) || Number(d.min) <= Number(d.max), 'Must not be greater than the maximum'],
        ['config.pattern', pattern === undefined, pattern ?? ''],
        ['config.allowed', lines(d.allowed).length <= 1000, 'Use at most 1000 values'],
      ]
    }
    case 'consistency': {
      const names = d.pairs.map((pair) => pair.field.trim())
      return [
        ...rules,
        ['config.fields', d.useMapping || names.some((name) => name !== ''), 'Add at least one field, or check the mapping’s types'],
        ['config.fields', d.useMapping || names.every((name) => name !== ''), 'Name every field, or remove the empty row'],
        ['config.fields', d.useMapping || new Set(names).size === names.length, 'List each field once'],
      ]
    }
    case 'freshness': {
      const minutes = Number(d.maxAgeMinutes)
      return [...rules, ['config.maxAgeMinutes', Number.isInteger(minutes) && d.maxAgeMinutes.trim() !== '' && minutes >= 1 && minutes <= 525_600, 'Use a whole number of minutes between 1 and 525600 (a year)']]
    }
  }
}

/** The request body for a draft that passed checkRules. */
export function checkInput(d: CheckDraft): CheckInput {
  const base = { name: d.name.trim(), checkType: d.checkType, enabled: d.enabled, onFailure: d.onFailure, threshold: d.checkType === 'freshness' ? 1 : Number(d.threshold) / 100 }
  switch (d.checkType) {
    case 'completeness':
      return { ...base, config: { fields: lines(d.fields) } }
    case 'accuracy': {
      const allowed = lines(d.allowed).map(parseAllowed)
      return {
        ...base,
        config: {
          field: d.field.trim(),
          ...(isNumber(d.min) ? { min: Number(d.min) } : {}),
          ...(isNumber(d.max) ? { max: Number(d.max) } : {}),
          ...(d.pattern.trim() !== '' ? { pattern: d.pattern } : {}),
          ...(allowed.length > 0 ? { allowed } : {}),
        },
      }
    }
    case 'consistency':
      return { ...base, config: d.useMapping ? { useMapping: true } : { fields: Object.fromEntries(d.pairs.map((pair) => [pair.field.trim(), pair.type])) } }
    case 'freshness':
      return { ...base, config: { maxAgeMinutes: Number(d.maxAgeMinutes) } }
  }
}

/**
 * Server errors keyed by the form's inputs: "body.config.fields.0" → "config.fields",
 * "body.config" → "config", "body.threshold" → "threshold".
 */
export function checkFieldErrors(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.details.length === 0) {
    return error
  }
  const errors: FieldErrors = {}
  for (const detail of error.details) {
    const key = fieldPath(detail.field).split('.').slice(0, 2).join('.')
    if (key !== '' && errors[key] === undefined) {
      errors[key] = detail.message
    }
  }
  return new ApiError(error.status, error.code, error.message, errors, error.details)
}

const list = (values: unknown[]) => values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(', ')

/** One line saying what a check looks at: "order_id, name required", "amount between 0 and 100". */
export function configSummary(check: Pick<QualityCheck, 'checkType' | 'config'>): string {
  const c = check.config
  switch (check.checkType) {
    case 'completeness':
      return `${list(Array.isArray(c.fields) ? c.fields : [])} required`
    case 'accuracy': {
      const parts = [
        c.min !== undefined && c.max !== undefined ? `between ${str(c.min)} and ${str(c.max)}` : c.min !== undefined ? `≥ ${str(c.min)}` : c.max !== undefined ? `≤ ${str(c.max)}` : '',
        c.pattern !== undefined ? `matches /${str(c.pattern)}/` : '',
        Array.isArray(c.allowed) ? `one of ${list(c.allowed.slice(0, 5))}${c.allowed.length > 5 ? ` (+${c.allowed.length - 5})` : ''}` : '',
      ].filter(Boolean)
      return `${str(c.field)} ${parts.join(', ')}`
    }
    case 'consistency': {
      const fields = c.fields && typeof c.fields === 'object' ? Object.entries(c.fields as Record<string, string>) : []
      return fields.length === 0 ? 'Types of the pipeline’s mapping' : fields.map(([field, type]) => `${field}: ${type}`).join(', ')
    }
    case 'freshness':
      return `Records at least every ${str(c.maxAgeMinutes)} minutes`
  }
}

export const percent = (ratio: number | undefined) => (ratio === undefined ? '—' : `${Math.round(ratio * 1000) / 10}%`)

/** A result in one line: "12 of 12 checked rows passed (100%, threshold 100%)", or the freshness age. */
export function resultSummary(result: ResultDetails): string {
  if (typeof result.error === 'string') {
    return result.error
  }
  if (result.maxAgeMinutes !== undefined) {
    return result.lastDataAt ? `Last records ${Math.floor(result.ageMinutes ?? 0)} minutes ago (limit ${result.maxAgeMinutes})` : `No records yet (limit ${result.maxAgeMinutes} minutes)`
  }
  if (result.checked === 0 || result.checked === undefined) {
    return result.note ?? `No rows to check${result.rows ? ` (${result.rows} skipped)` : ''}`
  }
  return `${result.passedRows ?? 0} of ${result.checked} checked rows passed (${percent(result.passRatio)}, threshold ${percent(result.threshold)})`
}

