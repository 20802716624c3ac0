import type { Key, ReactNode } from 'react'
import type { ApiState } from '../lib/useApi.ts'
import { Loader } from './Loading.tsx'

export interface Column<T> {
  /** Unique within the table; also the key of the column's cells. */
  header: string
  /** Keeps the heading for screen readers only, as for a column of buttons. */
  hideHeader?: boolean
  /** Class of the column's cells (`<td>`), not of its heading. */
  className?: string
  cell: (row: T) => ReactNode
}

/** Spread into the last column of a list, the row's buttons: its heading is for screen readers only. */
export const ACTIONS_COLUMN = { header: 'Actions', hideHeader: true, className: 'cell-actions' } as const

export interface DataTableProps<T> {
  rows: T[]
  columns: Array<Column<T>>
  rowKey: (row: T) => Key
  rowClassName?: (row: T) => string | undefined
  /** Shown instead of the table when there are no rows: every empty list says why, and what to do next. */
  empty: ReactNode
  compact?: boolean
}

/** A list as a table with one column heading (`scope="col"`) per column, or the `empty` state. */
export function DataTable<T>({ rows, columns, rowKey, rowClassName, empty, compact = false }: DataTableProps<T>) {
  if (rows.length === 0) {
    return <>{empty}</>
  }
  return (
    <div className="table-wrap">
      <table className={compact ? 'table table--compact' : 'table'}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.hideHeader ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={rowClassName?.(row)}>
              {columns.map((column) => (
                <td key={column.header} className={column.className}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * A table of what a useApi request returned: the spinner while it loads, the error with a
 * retry when it fails, then the rows `select` picks from the response (or the empty state).
 * `footer` (a pager, say) follows the table when there are rows.
 */
export function ApiTable<D, T>({
  state,
  loadingLabel,
  select,
  footer,
  ...table
}: Omit<DataTableProps<T>, 'rows'> & { state: ApiState<D>; loadingLabel: string; select: (data: D) => T[]; footer?: (data: D, rows: T[]) => ReactNode }) {
  return (
    <Loader state={state} label={loadingLabel}>
      {(data) => {
        const rows = select(data)
        return (
          <>
            <DataTable rows={rows} {...table} />
            {footer && rows.length > 0 ? footer(data, rows) : null}
          </>
        )
      }}
    </Loader>
  )
}
