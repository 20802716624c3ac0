import type { CastErrorMode, FieldMapping, FieldType, MappingSpec, Transformation } from './api.ts'

/**
 * The mapping editor's state and the pure logic around it: to and from the API's spec
 * (src/modules/mappings/mapping.types.ts), the client-side checks that mirror
 * mapping.validate.ts (errors keyed like the server's details: "mappings[0].path"), and the
 * sample records of the preview.
 */

export const FIELD_TYPES: FieldType[] = ['string', 'number', 'integer', 'boolean', 'timestamp', 'json']
export const CAST_MODES: Array<{ value: CastErrorMode; label: string }> = [
  { value: 'reject', label: 'Reject record' },
  { value: 'null', label: 'Store null' },
  { value: 'default', label: 'Use default' },
]
export type StepKind = Transformation['kind']
export const STEP_KINDS: Array<{ value: StepKind; label: string }> = [
  { value: 'rename', label: 'Rename a field' },
  { value: 'cast', label: 'Cast a field to a type' },
  { value: 'default', label: 'Default for a missing field' },
  { value: 'compute', label: 'Computed field' },
  { value: 'filter', label: 'Filter records' },
]

export interface FieldRow {
  key: number
  path: string
  field: string
  type: FieldType
  required: boolean
  onCastError: CastErrorMode
  /** JSON text ("0", "\"n/a\"") or plain text taken as a string; empty = none. */
  defaultValue: string
}

export interface StepRow {
  key: number
  kind: StepKind
  /** rename: from → to; cast/default/compute: field. */
  from: string
  to: string
  field: string
  castTo: FieldType
  onError: CastErrorMode
  defaultValue: string
  expression: string
}

export interface MappingDraft {
  fields: FieldRow[]
  steps: StepRow[]
  timestampField: string
}

export type MappingErrors = Record<string, string>

let nextKey = 1
const newKey = () => nextKey++

export function emptyField(change: Partial<FieldRow> = {}): FieldRow {
  return { key: newKey(), path: '$.', field: '', type: 'string', required: false, onCastError: 'reject', defaultValue: '', ...change }
}

export function emptyStep(kind: StepKind): StepRow {
  return { key: newKey(), kind, from: '', to: '', field: '', castTo: 'number', onError: 'reject', defaultValue: '', expression: '' }
}

/** The editable text of a JSON value: strings as they are, anything else as JSON. */
export function literalText(value: unknown): string {
  if (value === undefined) {
    return ''
  }
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Text → JSON value: JSON when it parses ("0", "true", "null", "[1]", "\"x\""), else the text as a string; empty → undefined. */
export function parseLiteral(text: string): unknown {
  if (text.trim() === '') {
    return undefined
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

export function draftFromSpec(spec: Pick<MappingSpec, 'mappings' | 'transformations' | 'timestampField'> | null | undefined): MappingDraft {
  if (!spec) {
    return { fields: [], steps: [], timestampField: '' }
  }
  const fields = spec.mappings.map((mapping) =>
    emptyField({ path: mapping.path, field: mapping.field, type: mapping.type, required: mapping.required === true, onCastError: mapping.onCastError ?? 'reject', defaultValue: literalText(mapping.default) }),
  )
  const steps = spec.transformations.map((step): StepRow => {
    const row = emptyStep(step.kind)
    switch (step.kind) {
      case 'rename':
        return { ...row, from: step.from, to: step.to }
      case 'cast':
        return { ...row, field: step.field, castTo: step.to, onError: step.onError, defaultValue: literalText(step.default) }
      case 'default':
        return { ...row, field: step.field, defaultValue: literalText(step.value) }
      case 'compute':
        return { ...row, field: step.field, expression: step.expression }
      case 'filter':
        return { ...row, expression: step.expression }
    }
  })
  return { fields, steps, timestampField: spec.timestampField ?? '' }
}

function stepSpec(row: StepRow): Transformation {
  switch (row.kind) {
    case 'rename':
      return { kind: 'rename', from: row.from.trim(), to: row.to.trim() }
    case 'cast': {
      const fallback = parseLiteral(row.defaultValue)
      return { kind: 'cast', field: row.field.trim(), to: row.castTo, onError: row.onError, ...(fallback === undefined ? {} : { default: fallback }) }
    }
    case 'default':
      return { kind: 'default', field: row.field.trim(), value: parseLiteral(row.defaultValue) ?? null }
    case 'compute':
      return { kind: 'compute', field: row.field.trim(), expression: row.expression.trim() }
    case 'filter':
      return { kind: 'filter', expression: row.expression.trim() }
  }
}

export function specFromDraft(draft: MappingDraft, examples?: unknown[]): MappingSpec {
  const mappings = draft.fields.map((row): FieldMapping => {
    const fallback = parseLiteral(row.defaultValue)
    return {
      path: row.path.trim(),
      field: row.field.trim(),
      type: row.type,
      ...(row.required ? { required: true } : {}),
      ...(row.onCastError !== 'reject' ? { onCastError: row.onCastError } : {}),
      ...(fallback === undefined ? {} : { default: fallback }),
    }
  })
  return {
    // A JSON Schema with only `examples`: the editor's sample, kept with the mapping for next time.
    ...(examples && examples.length > 0 ? { sourceSchema: { examples: examples.slice(0, 20) } } : {}),
    mappings,
    transformations: draft.steps.map(stepSpec),
    timestampField: draft.timestampField.trim() === '' ? null : draft.timestampField.trim(),
  }
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

function fieldNameError(name: string): string | undefined {
  const trimmed = name.trim()
  if (trimmed === '' || trimmed.length > 255) {
    return 'Enter a field name of 1–255 characters'
  }
  return FORBIDDEN.has(trimmed) ? `The field name '${trimmed}' is not allowed` : undefined
}

/** The mistakes worth catching before a round trip; the server checks paths and expressions fully. */
export function validateDraft(draft: MappingDraft): MappingErrors {
  const errors: MappingErrors = {}
  const add = (key: string, message: string | undefined) => {
    if (message && errors[key] === undefined) {
      errors[key] = message
    }
  }
  const seen = new Set<string>()
  draft.fields.forEach((row, i) => {
    add(`mappings[${i}].path`, row.path.trim().startsWith('$') ? undefined : "Start the path with $, e.g. $.user.id or $['odd key']")
    add(`mappings[${i}].field`, fieldNameError(row.field) ?? (seen.has(row.field.trim()) ? `The field '${row.field.trim()}' is mapped twice` : undefined))
    seen.add(row.field.trim())
    add(`mappings[${i}].default`, row.onCastError === 'default' && row.defaultValue.trim() === '' ? "A default is needed when cast errors use 'default'" : undefined)
  })
  draft.steps.forEach((row, i) => {
    const at = `transformations[${i}]`
    if (row.kind === 'rename') {
      add(`${at}.from`, fieldNameError(row.from))
      add(`${at}.to`, fieldNameError(row.to))
    }
    if (row.kind === 'cast' || row.kind === 'default' || row.kind === 'compute') {
      add(`${at}.field`, fieldNameError(row.field))
    }
    if (row.kind === 'cast' && row.onError === 'default' && row.defaultValue.trim() === '') {
      add(`${at}.default`, "A default is needed when cast errors use 'default'")
    }
    if (row.kind === 'compute' || row.kind === 'filter') {
      add(`${at}.expression`, row.expression.trim() === '' ? 'Enter an expression' : row.expression.length > 1000 ? 'Use at most 1000 characters' : undefined)
    }
  })
  if (draft.timestampField.trim() !== '') {
    add('timestampField', fieldNameError(draft.timestampField))
  }
  return errors
}

/** The server's details (`mappings[0].path`, `body.mappings`, `mapping.extra`) keyed as the editor's inputs are. */
export function errorsFromDetails(details: Array<{ field: string; message: string }>): MappingErrors {
  const errors: MappingErrors = {}
  for (const detail of details) {
    const key = detail.field.replace(/^(body|mapping)\./, '')
    if (errors[key] === undefined) {
      errors[key] = detail.message
    }
  }
  return errors
}
