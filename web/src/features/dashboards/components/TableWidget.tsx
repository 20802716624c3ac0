import { useMemo, useState } from 'react'
import type { SeriesAnswer } from '../../explore/chartOption.ts'
import type { TableAnswer } from '../api.ts'

const PAGE_SIZE = 10

interface Column {
  name: string
  label: string
  numeric: boolean
}

/** Series as time/group/value rows; saved-query results as their own columns. */
export function tableOf(series: SeriesAnswer | undefined, table: TableAnswer | undefined): { columns: Column[]; rows: Array<Record<string, unknown>> } {
  if (table) {
    return {
      columns: table.columns.map((column) => ({ name: column.name, label: column.name, numeric: /int|numeric|float|double|decimal|real|number/i.test(column.type) })),
      rows: table.rows,
    }
  }
  const points = series?.points ?? []
  const grouped = points.some((point) => point.group !== undefined)
  const columns: Column[] = [{ name: 't', label: 'Time', numeric: false }]
  if (grouped) columns.push({ name: 'group', label: 'Group', numeric: false })
  columns.push({ name: 'value', label: 'Value', numeric: true })
  return { columns, rows: points.map((point) => ({ t: point.t, group: point.group ?? '(none)', value: point.value })) }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' })

function cellText(column: Column, value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (column.name === 't' && typeof value === 'string') return timeFormat.format(new Date(value))
  if (typeof value === 'number') return value.toLocaleString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** A sortable, paginated table; a click on a header sorts by it (again: the other way). */
export function TableWidget({ series, table, title }: { series?: SeriesAnswer | undefined; table?: TableAnswer | undefined; title: string }) {
  const { columns, rows } = useMemo(() => tableOf(series, table), [series, table])
  const [sort, setSort] = useState<{ column: string; descending: boolean } | undefined>(undefined)
  const [page, setPage] = useState(0)
  const sorted = useMemo(() => {
    if (!sort) return rows
    const ordered = [...rows].sort((a, b) => compare(a[sort.column], b[sort.column]))
    return sort.descending ? ordered.reverse() : ordered
  }, [rows, sort])
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE))
  const current = Math.min(page, pages - 1)
  const visible = sorted.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE)
  return (
    <div className="dash-table">
      <div className="table-wrap">
        <table className="table table--compact">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort?.column === column.name
                return (
                  <th key={column.name} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'} className={column.numeric ? 'num' : undefined}>
                    <button type="button" className="dash-sort" onClick={() => setSort({ column: column.name, descending: active ? !sort.descending : false })}>
                      {column.label}
                      <span aria-hidden="true">{active ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
                    </button>
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row, index) => (
              <tr key={index}>
                {columns.map((column) => (
                  <td key={column.name} className={column.numeric ? 'num' : undefined}>
                    {cellText(column, row[column.name])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <div className="dash-table-pager small">
          <button type="button" className="btn btn--ghost btn--small" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span className="muted">
            Page {current + 1} of {pages} · {sorted.length} rows
          </span>
          <button type="button" className="btn btn--ghost btn--small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </button>
        </div>
      ) : null}
    </div>
  )
}
