import { AppError } from '../../platform/errors.ts'
import { CAST_FAILED, casterFor, describeValue, FIELD_TYPES, type Caster } from './mapping.cast.ts'
import { compileExpression, type CompiledExpression } from './expression.compiler.ts'
import { compileGetter, FORBIDDEN_KEYS, parsePath, type PathGetter } from './mapping.path.ts'
import type { CastErrorMode, FieldMapping, FieldType, MappingSpec, Transformation } from './mapping.types.ts'

/**
 * Validation of a mapping spec and its compilation into a plan: every path parsed, every
 * expression compiled, every default cast, once. All problems are collected, so the API can show
 * them together as `details: [{ field: 'transformations[2].expression', message }]`.
 */

export const MAX_MAPPINGS = 500
export const MAX_TRANSFORMATIONS = 100
export const MAX_FIELD_NAME_LENGTH = 255
const MAX_DETAILS = 50
const CAST_MODES: readonly CastErrorMode[] = ['reject', 'null', 'default']
const TRANSFORMATION_KEYS: Readonly<Record<Transformation['kind'], readonly string[]>> = {
  rename: ['kind', 'from', 'to'],
  cast: ['kind', 'field', 'to', 'onError', 'default'],
  default: ['kind', 'field', 'value'],
  compute: ['kind', 'field', 'expression'],
  filter: ['kind', 'expression'],
}
const MAPPING_KEYS = ['path', 'field', 'type', 'required', 'onCastError', 'default']
const SPEC_KEYS = ['sourceSchema', 'mappings', 'transformations', 'timestampField']

export interface FieldPlan {
  field: string
  path: string
  get: PathGetter
  cast: Caster
  type: FieldType
  required: boolean
  onCastError: CastErrorMode
  /** The cast default (or null): used for a missing value and by onCastError 'default'. */
  fallback: unknown
}

export type StepPlan =
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'cast'; field: string; to: FieldType; cast: Caster; onError: CastErrorMode; fallback: unknown }
  | { kind: 'default'; field: string; value: unknown }
  | { kind: 'compute'; field: string; expression: CompiledExpression }
  | { kind: 'filter'; expression: CompiledExpression }

export interface MappingPlan {
  spec: MappingSpec
  fields: FieldPlan[]
  steps: StepPlan[]
  timestampField: string | null
}

export interface MappingIssue {
  field: string
  message: string
}

type Obj = Record<string, unknown>

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON data only: what a jsonb column can hold and a record can be compared with. */
export function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 64) {
    return false
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return true
  }
  if (typeof value === 'number') {
    return Number.isFinite(value)
  }
  if (Array.isArray(value)) {
    return value.every((item) => isJsonValue(item, depth + 1))
  }
  if (isObject(value)) {
    const proto = Object.getPrototypeOf(value) as unknown
    return (proto === Object.prototype || proto === null) && Object.values(value).every((item) => isJsonValue(item, depth + 1))
  }
  return false
}

class Collector {
  readonly issues: MappingIssue[] = []

  add(field: string, message: string): void {
    if (this.issues.length < MAX_DETAILS) {
      this.issues.push({ field, message })
    }
  }

  unknownKeys(where: string, value: Obj, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.add(`${where}.${key}`, `Unknown property (expected one of: ${allowed.join(', ')})`)
      }
    }
  }

  fieldName(where: string, value: unknown): string | undefined {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD_NAME_LENGTH) {
      this.add(where, `Must be a field name of 1-${MAX_FIELD_NAME_LENGTH} characters`)
      return undefined
    }
    if (FORBIDDEN_KEYS.has(value)) {
      this.add(where, `The field name '${value}' is not allowed`)
      return undefined
    }
    return value
  }

  fieldType(where: string, value: unknown): FieldType | undefined {
    if (FIELD_TYPES.includes(value as FieldType)) {
      return value as FieldType
    }
    this.add(where, `Must be one of: ${FIELD_TYPES.join(', ')}`)
    return undefined
  }

  castMode(where: string, value: unknown): CastErrorMode | undefined {
    if (value === undefined || CAST_MODES.includes(value as CastErrorMode)) {
      return (value as CastErrorMode | undefined) ?? 'reject'
    }
    this.add(where, `Must be one of: ${CAST_MODES.join(', ')}`)
    return undefined
  }

  /** The default, cast to the type once; null when there is none. */
  fallback(where: string, type: FieldType, mode: CastErrorMode, value: unknown): unknown {
    if (value === undefined) {
      if (mode === 'default') {
        this.add(where, "A default is needed when cast errors use 'default'")
      }
      return null
    }
    if (!isJsonValue(value)) {
      this.add(where, 'Must be a JSON value')
      return null
    }
    const cast = value === null ? null : casterFor(type)(value)
    if (cast === CAST_FAILED) {
      this.add(where, `The default ${describeValue(value)} is not a valid ${type}`)
      return null
    }
    return cast
  }

  expression(where: string, source: unknown): CompiledExpression | undefined {
    if (typeof source !== 'string') {
      this.add(where, 'Must be an expression string')
      return undefined
    }
    try {
      return compileExpression(source)
    } catch (error) {
      this.add(where, error instanceof Error ? error.message : 'Invalid expression')
      return undefined
    }
  }
}

function planField(c: Collector, where: string, raw: unknown, seen: Set<string>): { plan: FieldPlan; mapping: FieldMapping } | undefined {
  if (!isObject(raw)) {
    c.add(where, 'Must be an object { path, field, type }')
    return undefined
  }
  c.unknownKeys(where, raw, MAPPING_KEYS)
  let get: PathGetter | undefined
  if (typeof raw.path !== 'string') {
    c.add(`${where}.path`, "Must be a JSONPath string such as '$.user.id'")
  } else {
    try {
      get = compileGetter(parsePath(raw.path))
    } catch (error) {
      c.add(`${where}.path`, error instanceof Error ? error.message : 'Invalid path')
    }
  }
  const field = c.fieldName(`${where}.field`, raw.field)
  if (field !== undefined && seen.has(field)) {
    c.add(`${where}.field`, `The field '${field}' is mapped twice`)
  }
  if (field !== undefined) {
    seen.add(field)
  }
  const type = c.fieldType(`${where}.type`, raw.type)
  if (raw.required !== undefined && typeof raw.required !== 'boolean') {
    c.add(`${where}.required`, 'Must be a boolean')
  }
  const onCastError = c.castMode(`${where}.onCastError`, raw.onCastError)
  if (get === undefined || field === undefined || type === undefined || onCastError === undefined) {
    return undefined
  }
  const fallback = c.fallback(`${where}.default`, type, onCastError, raw.default)
  const mapping: FieldMapping = { path: raw.path as string, field, type }
  if (raw.required !== undefined) {
    mapping.required = raw.required === true
  }
  if (raw.onCastError !== undefined) {
    mapping.onCastError = onCastError
  }
  if (raw.default !== undefined) {
    mapping.default = raw.default
  }
  return { mapping, plan: { field, path: raw.path as string, get, cast: casterFor(type), type, required: raw.required === true, onCastError, fallback } }
}

/** Fields known after the mappings, or null when records pass through and any field may exist. */
function requireKnown(c: Collector, known: Set<string> | null, where: string, field: string): void {
  if (known && !known.has(field)) {
    c.add(where, `No field '${field}' exists at this step (fields: ${[...known].join(', ') || 'none'})`)
  }
}

function planStep(c: Collector, where: string, raw: unknown, known: Set<string> | null): { step: StepPlan; spec: Transformation } | undefined {
  if (!isObject(raw) || typeof raw.kind !== 'string' || !Object.hasOwn(TRANSFORMATION_KEYS, raw.kind)) {
    c.add(`${where}.kind`, `Must be an object whose kind is one of: ${Object.keys(TRANSFORMATION_KEYS).join(', ')}`)
    return undefined
  }
  const kind = raw.kind as Transformation['kind']
  c.unknownKeys(where, raw, TRANSFORMATION_KEYS[kind])
  switch (kind) {
    case 'rename': {
      const from = c.fieldName(`${where}.from`, raw.from)
      const to = c.fieldName(`${where}.to`, raw.to)
      if (from === undefined || to === undefined) {
        return undefined
      }
      requireKnown(c, known, `${where}.from`, from)
      known?.delete(from)
      known?.add(to)
      return { step: { kind, from, to }, spec: { kind, from, to } }
    }
    case 'cast': {
      const field = c.fieldName(`${where}.field`, raw.field)
      const to = c.fieldType(`${where}.to`, raw.to)
      const onError = c.castMode(`${where}.onError`, raw.onError)
      if (field === undefined || to === undefined || onError === undefined) {
        return undefined
      }
      requireKnown(c, known, `${where}.field`, field)
      const fallback = c.fallback(`${where}.default`, to, onError, raw.default)
      const spec: Transformation = raw.default === undefined ? { kind, field, to, onError } : { kind, field, to, onError, default: raw.default }
      return { step: { kind, field, to, cast: casterFor(to), onError, fallback }, spec }
    }
    case 'default': {
      const field = c.fieldName(`${where}.field`, raw.field)
      if (!isJsonValue(raw.value)) {
        c.add(`${where}.value`, 'Must be a JSON value')
        return undefined
      }
      if (field === undefined) {
        return undefined
      }
      known?.add(field)
      return { step: { kind, field, value: raw.value }, spec: { kind, field, value: raw.value } }
    }
    case 'compute':
    case 'filter': {
      const field = kind === 'compute' ? c.fieldName(`${where}.field`, raw.field) : ''
      const expression = c.expression(`${where}.expression`, raw.expression)
      if (field === undefined || expression === undefined) {
        return undefined
      }
      for (const used of expression.fields) {
        requireKnown(c, known, `${where}.expression`, used)
      }
      const source = raw.expression as string
      if (kind === 'filter') {
        return { step: { kind, expression }, spec: { kind, expression: source } }
      }
      known?.add(field)
      return { step: { kind, field, expression }, spec: { kind, field, expression: source } }
    }
  }
}

function list(c: Collector, name: string, value: unknown, max: number): unknown[] {
  if (value === undefined || value === null) {
    return []
  }
  if (!Array.isArray(value)) {
    c.add(name, 'Must be an array')
    return []
  }
  if (value.length > max) {
    c.add(name, `At most ${max} entries`)
    return []
  }
  return value
}

/** Validates and compiles a spec; throws AppError 400 invalid_mapping listing every problem. */
export function planMapping(input: unknown): MappingPlan {
  const c = new Collector()
  if (!isObject(input)) {
    throw new AppError('invalid_mapping', 400, 'The mapping must be an object { mappings, transformations, timestampField? }', {
      details: [{ field: 'mapping', message: 'Must be an object' }],
    })
  }
  c.unknownKeys('mapping', input, SPEC_KEYS)
  const fields: FieldPlan[] = []
  const mappings: FieldMapping[] = []
  const seen = new Set<string>()
  const rawMappings = list(c, 'mappings', input.mappings, MAX_MAPPINGS)
  rawMappings.forEach((raw, i) => {
    const planned = planField(c, `mappings[${i}]`, raw, seen)
    if (planned) {
      fields.push(planned.plan)
      mappings.push(planned.mapping)
    }
  })
  // With mappings the output fields are known statically, so typos in later steps fail here.
  const known = rawMappings.length > 0 ? new Set(seen) : null
  const steps: StepPlan[] = []
  const transformations: Transformation[] = []
  list(c, 'transformations', input.transformations, MAX_TRANSFORMATIONS).forEach((raw, i) => {
    const planned = planStep(c, `transformations[${i}]`, raw, known)
    if (planned) {
      steps.push(planned.step)
      transformations.push(planned.spec)
    }
  })
  let timestampField: string | null = null
  if (input.timestampField !== undefined && input.timestampField !== null) {
    timestampField = c.fieldName('timestampField', input.timestampField) ?? null
    if (timestampField !== null) {
      requireKnown(c, known, 'timestampField', timestampField)
    }
  }
  if (input.sourceSchema !== undefined && !isJsonValue(input.sourceSchema)) {
    c.add('sourceSchema', 'Must be a JSON value')
  }
  if (c.issues.length > 0) {
    const [first] = c.issues
    throw new AppError('invalid_mapping', 400, first ? `Invalid mapping: ${first.field}: ${first.message}` : 'Invalid mapping', { details: c.issues })
  }
  const spec: MappingSpec = { mappings, transformations, timestampField }
  if (input.sourceSchema !== undefined) {
    spec.sourceSchema = input.sourceSchema
  }
  return { spec, fields, steps, timestampField }
}

/** For the API layer: a normalized copy of a valid spec, or AppError 400 invalid_mapping with details [{ field, message }]. */
export function validateMappingSpec(spec: unknown): MappingSpec {
  return planMapping(spec).spec
}
