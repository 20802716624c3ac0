import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { AppError } from '../../platform/errors.ts'
import {
  AccuracyConfig,
  CompletenessConfig,
  ConsistencyConfig,
  FreshnessConfig,
  type CheckConfig,
  type CheckType,
  type ValueType,
} from './data-quality.schema.ts'

/** Validation of check configurations and the field types a pipeline's mapping promises. */

const SCHEMAS: Record<CheckType, TSchema> = {
  completeness: CompletenessConfig,
  accuracy: AccuracyConfig,
  consistency: ConsistencyConfig,
  freshness: FreshnessConfig,
}

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', 400, `${field} ${message}`, { details: [{ field, message }] })
}

/**
 * Patterns run on the ingest path in this process, so one that backtracks exponentially would
 * stall every tenant's requests. JavaScript has no regex timeout: refuse the constructs that
 * cause it (back-references, and a repeated group that itself repeats or alternates, like
 * (a+)+ or (a|ab)*), and allow at most three unbounded repetitions, which bounds the
 * polynomial backtracking of patterns like \s*\s*x on the at most 1,000 characters tested.
 */
export function checkPattern(pattern: string): RegExp {
  if (/\\[1-9]|\\k</.test(pattern)) {
    throw invalid('body.config.pattern', 'must not use back-references')
  }
  let regex: RegExp
  try {
    regex = new RegExp(pattern, 'u')
  } catch (error) {
    throw invalid('body.config.pattern', `is not a valid regular expression: ${(error as Error).message}`)
  }
  // Per open group: whether it repeats or alternates inside.
  const groups: boolean[] = []
  let inClass = false
  let unbounded = 0
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') {
      i++
      continue
    }
    if (inClass) {
      inClass = char !== ']'
      continue
    }
    const repeats = char === '*' || char === '+' || (char === '{' && /^\{\d+,\}/.test(pattern.slice(i)))
    if (repeats && ++unbounded > 3) {
      throw invalid('body.config.pattern', 'may repeat without bound (*, +, {n,}) at most three times')
    }
    if (char === '[') {
      inClass = true
    } else if (char === '(') {
      groups.push(false)
    } else if (char === ')') {
      const complex = groups.pop() ?? false
      const next = pattern.slice(i + 1)
      if (complex && /^(\*|\+|\{\d+,\d*\})/.test(next)) {
        throw invalid('body.config.pattern', 'must not repeat a group that repeats or alternates inside, like (a+)+ or (a|b)*; use a character class')
      }
      if (groups.length > 0 && complex) {
        groups[groups.length - 1] = true
      }
    } else if ((char === '*' || char === '+' || char === '?' || char === '{' || char === '|') && groups.length > 0 && pattern[i - 1] !== '(') {
      groups[groups.length - 1] = true
    }
  }
  return regex
}

/** Checks `config` against the shape of its check type; answers 400 naming the field. */
export function validateCheckConfig(checkType: CheckType, config: unknown): CheckConfig {
  const schema = SCHEMAS[checkType]
  const first = Value.Errors(schema, config).First()
  if (first) {
    const field = `body.config${first.path.replaceAll('/', '.')}`
    throw invalid(field, first.message.toLowerCase())
  }
  if (checkType === 'accuracy') {
    const accuracy = config as AccuracyConfig
    if (accuracy.min === undefined && accuracy.max === undefined && accuracy.pattern === undefined && accuracy.allowed === undefined) {
      throw invalid('body.config', 'of an accuracy check needs min, max, pattern or allowed')
    }
    if (accuracy.min !== undefined && accuracy.max !== undefined && accuracy.min > accuracy.max) {
      throw invalid('body.config.min', 'must not be greater than max')
    }
    if (accuracy.pattern !== undefined) {
      checkPattern(accuracy.pattern)
    }
  }
  if (checkType === 'consistency') {
    const consistency = config as ConsistencyConfig
    if (consistency.fields !== undefined && Object.keys(consistency.fields).length === 0) {
      throw invalid('body.config.fields', 'must name at least one field (or leave it out to use the mapping)')
    }
  }
  return config as CheckConfig
}

const MAPPING_TYPES: Record<string, ValueType> = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  timestamp: 'timestamp',
  json: 'json',
}

/**
 * The output fields of a mapping with their types: the mapped fields, then its rename and
 * cast steps in order. Fields a compute step writes have no declared type and are left out.
 */
export function mappingFieldTypes(mappings: unknown, transformations: unknown): Record<string, ValueType> {
  const types: Record<string, ValueType> = {}
  for (const entry of Array.isArray(mappings) ? (mappings as Array<Record<string, unknown>>) : []) {
    const type = MAPPING_TYPES[String(entry?.type)]
    if (typeof entry?.field === 'string' && type) {
      types[entry.field] = type
    }
  }
  for (const step of Array.isArray(transformations) ? (transformations as Array<Record<string, unknown>>) : []) {
    if (step?.kind === 'rename' && typeof step.from === 'string' && typeof step.to === 'string' && step.from in types) {
      types[step.to] = types[step.from]!
      delete types[step.from]
    } else if (step?.kind === 'cast' && typeof step.field === 'string' && MAPPING_TYPES[String(step.to)]) {
      types[step.field] = MAPPING_TYPES[String(step.to)]!
    } else if (step?.kind === 'compute' && typeof step.field === 'string') {
      delete types[step.field]
    }
  }
  return types
}
