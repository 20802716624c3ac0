import type { ReactNode } from 'react'
import { DataTable, type Column } from './DataTable.tsx'

const MAX_CELL = 140

/** A JSON value as short text: strings as they are, everything else as compact JSON, long values cut. */
export function formatJsonValue(value: unknown): string {
  if (value === undefined) {
    return ''
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text
}

/** The keys of all records, in order of first appearance. */
export function recordKeys(records: Array<Record<string, unknown>>): string[] {
  const keys = new Set<string>()
  for (const record of records) {
    for (const key of Object.keys(record)) {
      keys.add(key)
    }
  }
  return [...keys]
}

/**
 * JSON records as a table with one column per field found in any of them; `lead` columns
 * (a row number, a time) come first. Wide tables scroll sideways inside their card.
 */
export function RecordsTable<T>({
  rows,
  record,
  lead = [],
  rowKey,
  empty,
}: {
  rows: T[]
  record: (row: T) => Record<string, unknown>
  lead?: Array<Column<T>>
  rowKey: (row: T, index: number) => string | number
  empty: ReactNode
}) {
  const keys = recordKeys(rows.map(record))
  const leadHeaders = new Set(lead.map((column) => column.header))
  const columns: Array<Column<T>> = [
    ...lead,
    ...keys
      .filter((key) => !leadHeaders.has(key))
      .map((key) => ({
        header: key,
        className: 'mono small',
        cell: (row: T) => {
          const value = record(row)[key]
          return value === null ? <span className="muted">null</span> : formatJsonValue(value)
        },
      })),
  ]
  const keyed = rows.map((row, index) => ({ row, key: rowKey(row, index) }))
  return (
    <DataTable
      compact
      rows={keyed}
      rowKey={(entry) => entry.key}
      empty={empty}
      columns={columns.map((column) => ({ ...column, cell: (entry: { row: T }) => column.cell(entry.row) }))}
    />
  )
}
