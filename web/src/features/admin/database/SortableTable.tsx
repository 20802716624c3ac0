import { useState, type Key, type ReactNode } from 'react'

export interface SortableColumn<T> {
  /** Unique within the table. */
  header: string
  cell: (row: T) => ReactNode
  /** What the column sorts by; a column without it does not sort. */
  sortValue?: (row: T) => number | string | null
  /** Right-aligned tabular figures, sorted largest first on the first click. */
  numeric?: boolean
  className?: string
}

interface Sort {
  header: string
  descending: boolean
}

function compare(a: number | string | null, b: number | string | null): number {
  // Unknown values sort last whichever the direction.
  if (a === null || b === null) {
    return a === b ? 0 : a === null ? 1 : -1
  }
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))
}

export function sortRows<T>(rows: T[], column: SortableColumn<T> | undefined, descending: boolean): T[] {
  const value = column?.sortValue
  if (!value) {
    return rows
  }
  return [...rows].sort((x, y) => {
    const a = value(x)
    const b = value(y)
    if (a === null || b === null) {
      return compare(a, b)
    }
    return descending ? compare(b, a) : compare(a, b)
  })
}

/**
 * A table whose column headings sort it (click again to reverse; aria-sort tells screen
 * readers), showing the first `limit` rows with a button for the rest.
 */
export function SortableTable<T>({
  rows,
  columns,
  rowKey,
  initialSort,
  empty,
  limit = 25,
  label,
}: {
  rows: T[]
  columns: Array<SortableColumn<T>>
  rowKey: (row: T) => Key
  initialSort: Sort
  empty: ReactNode
  limit?: number
  /** The table's accessible name. */
  label: string
}) {
  const [sort, setSort] = useState<Sort>(initialSort)
  const [showAll, setShowAll] = useState(false)
  if (rows.length === 0) {
    return <>{empty}</>
  }
  const sorted = sortRows(rows, columns.find((column) => column.header === sort.header), sort.descending)
  const visible = showAll ? sorted : sorted.slice(0, limit)
  return (
    <>
      <div className="table-wrap">
        <table className="table table--compact" aria-label={label}>
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort.header === column.header
                const className = column.numeric ? 'num cell-numeric' : undefined
                if (!column.sortValue) {
                  return (
                    <th key={column.header} scope="col" className={className}>
                      {column.header}
                    </th>
                  )
                }
                return (
                  <th key={column.header} scope="col" className={className} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button
                      type="button"
                      className="table-sort"
                      onClick={() => setSort({ header: column.header, descending: active ? !sort.descending : Boolean(column.numeric) })}
                    >
                      {column.header}
                      <span aria-hidden="true">{active ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
                    </button>
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => (
                  <td key={column.header} className={[column.numeric ? 'num cell-numeric' : '', column.className ?? ''].join(' ').trim() || undefined}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > limit ? (
        <p className="small">
          <button type="button" className="btn btn--ghost btn--small" onClick={() => setShowAll(!showAll)}>
            {showAll ? `Show the first ${limit}` : `Show all ${rows.length.toLocaleString()}`}
          </button>
        </p>
      ) : null}
    </>
  )
}
