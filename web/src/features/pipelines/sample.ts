import { childPath } from '../data-sources/schema.ts'
import type { FieldType } from './api.ts'
import { emptyField, type FieldRow } from './mapping.ts'

/** The preview route takes at most this many records. */
export const MAX_SAMPLE = 1000

export type ParsedSample = { ok: true; records: unknown[] } | { ok: false; error: string }

/**
 * The preview's sample as typed: a JSON array of records, one JSON object, or NDJSON (one
 * record per line), like the ingest API accepts.
 */
export function parseSample(text: string): ParsedSample {
  const trimmed = text.trim()
  if (trimmed === '') {
    return { ok: false, error: 'Paste one or more sample records as JSON first.' }
  }
  let records: unknown[]
  try {
    const parsed = JSON.parse(trimmed) as unknown
    records = Array.isArray(parsed) ? parsed : [parsed]
  } catch (error) {
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '')
    if (lines.length < 2) {
      return { ok: false, error: `The sample is not valid JSON: ${(error as Error).message}` }
    }
    records = []
    for (const [index, line] of lines.entries()) {
      try {
        records.push(JSON.parse(line) as unknown)
      } catch (lineError) {
        return { ok: false, error: `Line ${index + 1} is not valid JSON: ${(lineError as Error).message}` }
      }
    }
  }
  if (records.length === 0) {
    return { ok: false, error: 'The sample is an empty array: add at least one record.' }
  }
  if (records.length > MAX_SAMPLE) {
    return { ok: false, error: `Use at most ${MAX_SAMPLE} records in the sample.` }
  }
  return { ok: true, records }
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

export function inferType(value: unknown): FieldType {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number'
  }
  if (typeof value === 'boolean') {
    return 'boolean'
  }
  if (typeof value === 'string') {
    return ISO_DATE_TIME.test(value) ? 'timestamp' : 'string'
  }
  return value !== null && typeof value === 'object' ? 'json' : 'string'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** "$.user.id" → "user_id"; "$['odd key']" → "odd_key". */
export function fieldNameFor(path: string): string {
  const name = path
    .replace(/^\$\.?/, '')
    .replace(/\[['"]?|['"]?\]/g, '.')
    .split('.')
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return name === '' ? 'value' : name.slice(0, 255)
}

function leaves(value: Record<string, unknown>, path: string, depth: number, out: Array<{ path: string; value: unknown }>): void {
  for (const [key, child] of Object.entries(value)) {
    const childAt = childPath(path, key)
    if (isPlainObject(child) && depth < 3 && Object.keys(child).length > 0) {
      leaves(child, childAt, depth + 1, out)
    } else {
      out.push({ path: childAt, value: child })
    }
  }
}

/**
 * One field mapping per leaf of the sample records (nested objects flattened to
 * `user_id`-style names), typed from the first non-null value seen.
 */
export function suggestFields(records: unknown[]): FieldRow[] {
  const found = new Map<string, unknown>()
  for (const record of records.slice(0, 50)) {
    if (!isPlainObject(record)) {
      continue
    }
    const out: Array<{ path: string; value: unknown }> = []
    leaves(record, '$', 0, out)
    for (const leaf of out) {
      if (!found.has(leaf.path) || found.get(leaf.path) === null) {
        found.set(leaf.path, leaf.value)
      }
    }
  }
  const names = new Set<string>()
  return [...found.entries()].map(([path, value]) => {
    let field = fieldNameFor(path)
    for (let n = 2; names.has(field); n += 1) {
      field = `${fieldNameFor(path)}_${n}`
    }
    names.add(field)
    return emptyField({ path, field, type: inferType(value) })
  })
}

/** The examples a saved mapping keeps in sourceSchema ({ examples: [...] }). */
export function savedExamples(sourceSchema: unknown): unknown[] | undefined {
  if (isPlainObject(sourceSchema) && Array.isArray(sourceSchema.examples) && sourceSchema.examples.length > 0) {
    return sourceSchema.examples
  }
  return undefined
}

export function sampleText(records: unknown[]): string {
  return JSON.stringify(records, null, 2)
}
