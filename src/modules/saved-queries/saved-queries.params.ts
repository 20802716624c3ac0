import { AppError } from '../../platform/errors.ts'
import type { ParameterDefinition, RunValues } from './saved-queries.schema.ts'

/**
 * {{name}} parameters compiled to the driver's bind parameters ($n for PostgreSQL, ? for
 * MySQL). A value never enters the SQL text: only placeholders do, so a parameter can't
 * change the statement whatever it contains. A list becomes one placeholder per element
 * (`in ({{ids}})` → `in ($1, $2, $3)`).
 */

export type Dialect = 'postgresql' | 'mysql'

export interface CompiledQuery {
  text: string
  values: unknown[]
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const MAX_LIST = 1000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

const invalid = (message: string, field?: string) =>
  new AppError('invalid_query_parameter', 400, message, field ? { details: [{ field, message }] } : {})

/** The parameter names the query text uses, in order of first use. */
export function placeholderNames(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))]
}

/** Definitions are unique by name, defaults fit their type, and every {{name}} in the text is defined. */
export function validateDefinitions(text: string, definitions: ParameterDefinition[]): void {
  const names = new Set<string>()
  for (const definition of definitions) {
    if (names.has(definition.name)) {
      throw invalid(`Parameter ${definition.name} is defined twice`, 'parameters')
    }
    names.add(definition.name)
    if (definition.default !== undefined && definition.default !== null) {
      coerce(definition, definition.default, 'mysql')
    }
  }
  const undefinedNames = placeholderNames(text).filter((name) => !names.has(name))
  if (undefinedNames.length > 0) {
    throw invalid(`The query uses ${undefinedNames.map((name) => `{{${name}}}`).join(', ')} without defining ${undefinedNames.length === 1 ? 'it' : 'them'} in parameters`, 'parameters')
  }
}

function scalar(definition: ParameterDefinition, value: unknown, dialect: Dialect): unknown {
  const name = definition.name
  switch (definition.type) {
    case 'text':
    case 'list':
      if (typeof value === 'string') {
        return value
      }
      if (typeof value === 'number' && Number.isFinite(value)) {
        return definition.type === 'list' ? value : String(value)
      }
      throw invalid(`Parameter ${name} must be a ${definition.type === 'list' ? 'list of strings or numbers' : 'string'}`, name)
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : Number.NaN
      if (!Number.isFinite(number)) {
        throw invalid(`Parameter ${name} must be a number`, name)
      }
      return number
    }
    case 'date': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
        throw invalid(`Parameter ${name} must be a date (YYYY-MM-DD or ISO 8601 date-time)`, name)
      }
      if (DATE_ONLY.test(value)) {
        return value
      }
      // MySQL takes no zone in a DATETIME literal: send the UTC wall time.
      return dialect === 'mysql' ? new Date(value).toISOString().replace('T', ' ').replace('Z', '') : new Date(value).toISOString()
    }
  }
}

function coerce(definition: ParameterDefinition, value: unknown, dialect: Dialect): unknown[] {
  if (definition.type !== 'list') {
    if (Array.isArray(value)) {
      throw invalid(`Parameter ${definition.name} takes one value, not a list`, definition.name)
    }
    return [scalar(definition, value, dialect)]
  }
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 0) {
    throw invalid(`Parameter ${definition.name} needs at least one element`, definition.name)
  }
  if (items.length > MAX_LIST) {
    throw invalid(`Parameter ${definition.name} has more than ${MAX_LIST} elements`, definition.name)
  }
  return items.map((item) => scalar(definition, item, dialect))
}

/**
 * Binds the run's values: unknown names, missing required values and values of the wrong
 * type answer 400 invalid_query_parameter. An optional parameter without a value or default
 * binds NULL.
 */
export function compileQuery(text: string, definitions: ParameterDefinition[], values: RunValues, dialect: Dialect): CompiledQuery {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]))
  const unknown = Object.keys(values).filter((name) => !byName.has(name))
  if (unknown.length > 0) {
    throw invalid(`Unknown parameter${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, unknown[0])
  }
  const bound = new Map<string, unknown[]>()
  for (const definition of definitions) {
    const given = values[definition.name]
    const value = given === undefined || given === null ? (definition.default ?? null) : given
    if (value === null) {
      if (definition.required) {
        throw invalid(`Parameter ${definition.name} is required`, definition.name)
      }
      bound.set(definition.name, [null])
      continue
    }
    bound.set(definition.name, coerce(definition, value, dialect))
  }
  const out: unknown[] = []
  const compiled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const items = bound.get(name)
    if (!items) {
      throw invalid(`The query uses {{${name}}}, which is not a defined parameter`, name)
    }
    return items
      .map((item) => {
        out.push(item)
        return dialect === 'postgresql' ? `$${out.length}` : '?'
      })
      .join(', ')
  })
  return { text: compiled, values: out }
}

/**
 * Checks values against the definitions without binding them (a widget's pinned params):
 * one entry per unknown name or wrongly typed value. Missing values are not errors here: a
 * dashboard filter may supply them when the widget is shown.
 */
export function paramValueErrors(definitions: ParameterDefinition[], values: RunValues): Array<{ field: string; message: string }> {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]))
  const errors: Array<{ field: string; message: string }> = []
  for (const [name, value] of Object.entries(values)) {
    const definition = byName.get(name)
    if (!definition) {
      const declared = definitions.map((d) => d.name)
      errors.push({ field: name, message: declared.length > 0 ? `is not a parameter of the query (it declares ${declared.join(', ')})` : 'is not a parameter of the query (it declares none)' })
      continue
    }
    if (value === null) {
      continue
    }
    try {
      coerce(definition, value, 'postgresql')
    } catch (error) {
      if (!(error instanceof AppError)) {
        throw error
      }
      errors.push({ field: name, message: error.message })
    }
  }
  return errors
}
