import type { SeriesResponse } from '../timeseries/series.schema.ts'
import type { StatComparison } from '../widget-data/widget-data.schema.ts'

/**
 * One widget's data as a plain table, the common ground of the CSV, XLSX and PDF exports.
 * The data item is handled by its shape: a series (metric and pipeline widgets) becomes one
 * row per bucket (and group), a saved query's result keeps its own columns.
 */

export type Cell = string | number | boolean | Date | null
export type ColumnKind = 'date' | 'number' | 'text' | 'boolean'

export interface ExportTable {
  columns: Array<{ name: string; kind: ColumnKind }>
  rows: Cell[][]
}

/** A saved query's result as a widget answer (status ok with a table). */
export interface QueryTable {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
  truncated?: boolean
}

/** The data endpoint's answer for one widget, loosely typed so every source's shape fits. */
export type WidgetAnswer =
  | { status: 'ok'; series?: SeriesResponse; table?: QueryTable; comparison?: StatComparison }
  | { status: 'error'; error: { code: string; message: string } }
  | { status: 'static' }

export function isGrouped(series: SeriesResponse): boolean {
  return series.points.some((point) => point.group !== undefined)
}

export function seriesTable(series: SeriesResponse): ExportTable {
  const grouped = isGrouped(series)
  return {
    columns: [
      { name: 'time', kind: 'date' },
      ...(grouped ? [{ name: 'group', kind: 'text' as const }] : []),
      { name: 'value', kind: 'number' },
      { name: 'count', kind: 'number' },
      { name: 'min', kind: 'number' },
      { name: 'max', kind: 'number' },
    ],
    rows: series.points.map((point) => [new Date(point.t), ...(grouped ? [point.group ?? null] : []), point.value, point.count, point.min, point.max]),
  }
}

// Column types as the PostgreSQL and MySQL drivers name them (src/modules/data-sources/sql-source.ts).
const NUMERIC_TYPES = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'decimal', 'newdecimal', 'tiny', 'short', 'long', 'longlong', 'int24', 'float', 'double', 'year'])
const TEMPORAL_TYPES = new Set(['timestamp', 'timestamptz', 'date', 'datetime', 'timestamp2', 'datetime2', 'newdate'])
const BOOLEAN_TYPES = new Set(['boolean', 'bool'])
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/
/** Digits a double carries exactly: longer bigint/numeric strings stay text rather than lose digits. */
const SAFE_DIGITS = 15

function kindOf(type: string): ColumnKind {
  const name = type.toLowerCase()
  if (NUMERIC_TYPES.has(name)) return 'number'
  if (TEMPORAL_TYPES.has(name)) return 'date'
  if (BOOLEAN_TYPES.has(name)) return 'boolean'
  return 'text'
}

function queryCell(value: unknown, kind: ColumnKind): Cell {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'boolean') return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value
  if (typeof value === 'string') {
    // PostgreSQL's numeric and bigint arrive as strings; they are numbers in a spreadsheet.
    if (kind === 'number' && DECIMAL.test(value) && value.replace(/[^0-9]/g, '').replace(/^0+/, '').length <= SAFE_DIGITS) return Number(value)
    if (kind === 'date' && !Number.isNaN(Date.parse(value))) return new Date(value)
    return value
  }
  return JSON.stringify(value)
}

export function queryTable(table: QueryTable): ExportTable {
  const columns = table.columns.map((column) => ({ name: column.name, kind: kindOf(column.type) }))
  return { columns, rows: table.rows.map((row) => columns.map((column) => queryCell(row[column.name], column.kind))) }
}

/** The table of an ok answer; null when the answer has neither a series nor a table. */
export function answerTable(answer: WidgetAnswer): ExportTable | null {
  if (answer.status !== 'ok') return null
  if (answer.table) return queryTable(answer.table)
  if (answer.series) return seriesTable(answer.series)
  return null
}
