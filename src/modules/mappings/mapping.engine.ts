import { CAST_FAILED, describeValue, parseTimestampMs, type Caster } from './mapping.cast.ts'
import { ExpressionRuntimeError, type EvaluationContext } from './expression.functions.ts'
import { isTruthy, type Row } from './expression.compiler.ts'
import { planMapping, type FieldPlan, type StepPlan } from './mapping.validate.ts'
import type { CastErrorMode, CompiledMapping, MappingResult, MappingSpec, RecordError } from './mapping.types.ts'

export type { CompiledMapping, FieldMapping, MappedRecord, MappingResult, MappingSpec, RecordError, Transformation } from './mapping.types.ts'
export { validateMappingSpec } from './mapping.validate.ts'

/**
 * The data mapping engine of pipelines. compileMapping() validates a spec and turns it into
 * closures once; apply() then runs them per record with no parsing, no lookups by name and no
 * allocation beyond the output row (errors are only allocated for bad records).
 *
 * Per record: the mapped fields are extracted and cast (or, with no mappings, the record passes
 * through), then the transformations run in order, then `timestampField` gives recordTime. A
 * record with any error is left out of `rows` and its errors carry its index; the others go on.
 */

const OK = 0
const FILTERED = 1
const FAILED = 2
type Outcome = typeof OK | typeof FILTERED | typeof FAILED
type Step = (row: Row, context: EvaluationContext, index: number, errors: RecordError[]) => Outcome
type Extractor = (record: object, row: Row, index: number, errors: RecordError[]) => boolean

const hasOwn = Object.prototype.hasOwnProperty

/** An own value of the row; passed-through records are plain objects whose prototype must stay out of reach. */
function own(row: Row, field: string): unknown {
  return hasOwn.call(row, field) ? row[field] : undefined
}

function isJsonObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function castFailure(index: number, field: string, value: unknown, type: string): RecordError {
  return { index, code: 'cast_failed', field, message: `Cannot cast ${describeValue(value)} to ${type} (field '${field}')` }
}

/** Writes a cast value, or handles the failure per mode; false means the record is rejected. */
function castInto(row: Row, field: string, value: unknown, cast: Caster, mode: CastErrorMode, fallback: unknown, index: number, errors: RecordError[], type: string): boolean {
  const result = cast(value)
  if (result !== CAST_FAILED) {
    row[field] = result
    return true
  }
  if (mode === 'reject') {
    errors.push(castFailure(index, field, value, type))
    return false
  }
  row[field] = mode === 'null' ? null : fallback
  return true
}

function compileExtractor(plan: FieldPlan): Extractor {
  const { field, path, get, cast, required, onCastError, fallback, type } = plan
  return (record, row, index, errors) => {
    const value = get(record)
    if (value === undefined || value === null) {
      if (required) {
        errors.push({ index, code: 'missing_field', field, message: `The required field '${field}' is missing (${path})` })
        return false
      }
      row[field] = fallback
      return true
    }
    return castInto(row, field, value, cast, onCastError, fallback, index, errors, type)
  }
}

function expressionFailure(error: unknown, index: number, errors: RecordError[], field?: string): Outcome {
  if (!(error instanceof ExpressionRuntimeError)) {
    throw error
  }
  const failure: RecordError = { index, code: 'expression_failed', message: `The expression failed: ${error.message}` }
  if (field !== undefined) {
    failure.field = field
  }
  errors.push(failure)
  return FAILED
}

function compileStep(step: StepPlan): Step {
  switch (step.kind) {
    case 'rename': {
      const { from, to } = step
      return (row) => {
        if (from !== to && hasOwn.call(row, from)) {
          row[to] = row[from]
          delete row[from]
        }
        return OK
      }
    }
    case 'cast': {
      const { field, to, cast, onError, fallback } = step
      return (row, _context, index, errors) => {
        const value = own(row, field)
        if (value === undefined || value === null) {
          return OK
        }
        return castInto(row, field, value, cast, onError, fallback, index, errors, to) ? OK : FAILED
      }
    }
    case 'default': {
      const { field, value } = step
      return (row) => {
        const current = own(row, field)
        if (current === undefined || current === null) {
          row[field] = value
        }
        return OK
      }
    }
    case 'compute': {
      const { field, expression } = step
      const evaluate = expression.evaluate
      return (row, context, index, errors) => {
        try {
          row[field] = evaluate(row, context)
          return OK
        } catch (error) {
          return expressionFailure(error, index, errors, field)
        }
      }
    }
    case 'filter': {
      const evaluate = step.expression.evaluate
      return (row, context, index, errors) => {
        try {
          return isTruthy(evaluate(row, context)) ? OK : FILTERED
        } catch (error) {
          return expressionFailure(error, index, errors)
        }
      }
    }
  }
}

function passThrough(records: readonly unknown[]): MappingResult {
  const rows = new Array<MappingResult['rows'][number]>(records.length)
  for (let index = 0; index < records.length; index++) {
    const record = records[index]
    rows[index] = { index, data: isJsonObject(record) ? record : { value: record }, recordTime: null }
  }
  return { rows, errors: [], filtered: 0 }
}

const IDENTITY: CompiledMapping = { apply: passThrough }

/**
 * Validates and compiles once (throws AppError 400 'invalid_mapping' with details naming the bad
 * path or expression); apply() is then cheap per record. A null or empty spec stores records as
 * they come: data is the record if it is a JSON object, else { value: record }; recordTime null.
 */
export function compileMapping(spec: MappingSpec | null | undefined): CompiledMapping {
  if (spec === null || spec === undefined) {
    return IDENTITY
  }
  const plan = planMapping(spec)
  if (plan.fields.length === 0 && plan.steps.length === 0 && plan.timestampField === null) {
    return IDENTITY
  }
  const mapped = plan.fields.length > 0
  const extractors = plan.fields.map(compileExtractor)
  const steps = plan.steps.map(compileStep)
  // Passed-through records are the caller's objects: copy them before a step writes to them.
  const copyInput = !mapped && plan.steps.some((step) => step.kind !== 'filter')
  const timestampField = plan.timestampField

  return {
    apply(records: readonly unknown[]): MappingResult {
      const context: EvaluationContext = { now: new Date().toISOString() }
      const rows: MappingResult['rows'] = []
      const errors: RecordError[] = []
      let filtered = 0
      records: for (let index = 0; index < records.length; index++) {
        const record = records[index]
        let row: Row
        if (mapped) {
          if (typeof record !== 'object' || record === null) {
            errors.push({ index, code: 'invalid_record', message: `The record is ${record === null ? 'null' : `a ${typeof record}`}, not a JSON object or array` })
            continue
          }
          row = {}
          let ok = true
          for (const extract of extractors) {
            // No early exit: report every missing or bad field of the record at once.
            ok = extract(record, row, index, errors) && ok
          }
          if (!ok) {
            continue
          }
        } else if (isJsonObject(record)) {
          row = copyInput ? { ...record } : record
        } else {
          row = { value: record }
        }
        for (const step of steps) {
          const outcome = step(row, context, index, errors)
          if (outcome === FILTERED) {
            filtered++
            continue records
          }
          if (outcome === FAILED) {
            continue records
          }
        }
        let recordTime: Date | null = null
        if (timestampField !== null) {
          const value = own(row, timestampField)
          if (value !== undefined && value !== null) {
            const ms = parseTimestampMs(value)
            if (Number.isNaN(ms)) {
              errors.push({ index, code: 'invalid_timestamp', field: timestampField, message: `The timestamp field '${timestampField}' holds ${describeValue(value)}, not an ISO 8601 timestamp or epoch number` })
              continue
            }
            recordTime = new Date(ms)
          }
        }
        rows.push({ index, data: row, recordTime })
      }
      return { rows, errors, filtered }
    },
  }
}
