/**
 * The small JSONPath subset sources use to find records and cursors in a response:
 * dotted keys with optional array indexes, an optional leading `$` (`$.data.items[0].id`).
 */
export function getPath(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '' || path === '$') {
    return value
  }
  const segments = path.replace(/^\$\.?/, '').split('.')
  let current: unknown = value
  for (const segment of segments) {
    const match = /^([^[\]]+)?((?:\[\d+\])*)$/.exec(segment)
    if (!match) {
      return undefined
    }
    if (match[1] !== undefined) {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) {
        return undefined
      }
      current = (current as Record<string, unknown>)[match[1]]
    }
    for (const index of match[2]?.match(/\d+/g) ?? []) {
      if (!Array.isArray(current)) {
        return undefined
      }
      current = current[Number(index)]
    }
  }
  return current
}

export type JsonSchema = { type: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; format?: string }

function typeOf(value: unknown): string {
  if (value === null) {
    return 'null'
  }
  if (Array.isArray(value)) {
    return 'array'
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number'
  }
  return typeof value
}

function merge(a: JsonSchema | undefined, b: JsonSchema): JsonSchema {
  if (!a) {
    return b
  }
  const types = new Set([...[a.type].flat(), ...[b.type].flat()])
  if (types.has('integer') && types.has('number')) {
    types.delete('integer')
  }
  const merged: JsonSchema = { type: types.size === 1 ? [...types][0]! : [...types].sort() }
  if (a.properties || b.properties) {
    const properties: Record<string, JsonSchema> = { ...a.properties }
    for (const [key, schema] of Object.entries(b.properties ?? {})) {
      properties[key] = merge(properties[key], schema)
    }
    merged.properties = properties
  }
  if (a.items || b.items) {
    merged.items = b.items ? merge(a.items, b.items) : a.items!
  }
  if (a.format && a.format === b.format) {
    merged.format = a.format
  }
  return merged
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/** Infers a JSON schema from sample values (objects merge their properties; depth-capped). */
export function inferJsonSchema(samples: unknown[], depth = 0): JsonSchema {
  let schema: JsonSchema | undefined
  for (const value of samples) {
    const type = typeOf(value)
    const next: JsonSchema = { type }
    if (type === 'object' && depth < 6) {
      next.properties = {}
      for (const [key, child] of Object.entries(value as Record<string, unknown>).slice(0, 500)) {
        next.properties[key] = inferJsonSchema([child], depth + 1)
      }
    } else if (type === 'array' && depth < 6) {
      next.items = inferJsonSchema((value as unknown[]).slice(0, 50), depth + 1)
    } else if (type === 'string' && ISO_DATE_TIME.test(value as string)) {
      next.format = 'date-time'
    }
    schema = merge(schema, next)
  }
  return schema ?? { type: 'null' }
}
