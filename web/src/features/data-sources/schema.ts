/**
 * Reading a data source's schemaMetadata: SQL {kind: 'sql', tables}, API {kind: 'json',
 * schema (JSON schema of one record)}, CSV {kind: 'csv', columns}. Also used by the mapping
 * editor to suggest fields and an example record.
 */

export interface SqlTable {
  schema: string
  name: string
  type: string
  columns: Array<{ name: string; type: string; nullable: boolean }>
}

interface JsonSchema {
  type?: string | string[]
  format?: string
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
}

export interface SchemaField {
  /** JSONPath of the field ("$.user.id", "$['odd key']"). */
  path: string
  /** The CSV column or the last key. */
  name: string
  type: string
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

export function childPath(parent: string, key: string): string {
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`
}

function typeText(schema: JsonSchema): string {
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'unknown')
  return schema.format ? `${type} (${schema.format})` : type
}

function walk(schema: JsonSchema, path: string, name: string, out: SchemaField[], depth: number): void {
  if (schema.properties && depth < 6) {
    for (const [key, child] of Object.entries(schema.properties)) {
      walk(child, childPath(path, key), key, out, depth + 1)
    }
    return
  }
  if (path !== '$') {
    out.push({ path, name, type: typeText(schema) })
  }
}

/** The leaf fields of a JSON or CSV schema, as JSONPaths with their types. */
export function schemaFields(metadata: unknown): SchemaField[] {
  const meta = (metadata && typeof metadata === 'object' ? metadata : {}) as Record<string, unknown>
  if (meta.kind === 'csv' && Array.isArray(meta.columns)) {
    return (meta.columns as Array<{ name: string; type: string }>).map((column) => ({ path: childPath('$', column.name), name: column.name, type: column.type }))
  }
  if (meta.kind === 'json' && meta.schema && typeof meta.schema === 'object') {
    const out: SchemaField[] = []
    walk(meta.schema as JsonSchema, '$', '', out, 0)
    return out
  }
  return []
}

function exampleOf(schema: JsonSchema, depth: number): unknown {
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? 'null') : schema.type
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {}
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        result[key] = depth < 6 ? exampleOf(child, depth + 1) : null
      }
      return result
    }
    case 'array':
      return schema.items && depth < 6 ? [exampleOf(schema.items, depth + 1)] : []
    case 'integer':
      return 1
    case 'number':
      return 1.5
    case 'boolean':
      return true
    case 'string':
      return schema.format === 'date-time' ? new Date(0).toISOString() : 'text'
    default:
      return null
  }
}

function exampleForColumn(type: string): unknown {
  const t = type.toLowerCase()
  if (/int|serial/.test(t)) {
    return 1
  }
  if (/num|dec|real|double|float|money/.test(t)) {
    return 1.5
  }
  if (/bool/.test(t)) {
    return true
  }
  if (/time|date/.test(t)) {
    return new Date(0).toISOString()
  }
  if (/json/.test(t)) {
    return {}
  }
  return 'text'
}

/** A made-up record shaped like the source's records, to start a mapping preview with; undefined when nothing is known. */
export function exampleRecord(metadata: unknown): Record<string, unknown> | undefined {
  const meta = (metadata && typeof metadata === 'object' ? metadata : {}) as Record<string, unknown>
  if (meta.kind === 'json' && meta.schema && typeof meta.schema === 'object') {
    const example = exampleOf(meta.schema as JsonSchema, 0)
    return example && typeof example === 'object' && !Array.isArray(example) ? (example as Record<string, unknown>) : undefined
  }
  const columns = meta.kind === 'csv' && Array.isArray(meta.columns) ? (meta.columns as Array<{ name: string; type: string }>) : meta.kind === 'sql' && Array.isArray(meta.tables) ? ((meta.tables as SqlTable[])[0]?.columns ?? []) : []
  if (columns.length === 0) {
    return undefined
  }
  return Object.fromEntries(columns.map((column) => [column.name, exampleForColumn(column.type)]))
}
