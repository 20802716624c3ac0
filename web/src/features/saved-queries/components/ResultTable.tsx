import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import type { RunResult } from '../api.ts'

/** A cell as text: what the table shows (and what a dashboard filter on the column compares). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const NUMERIC_TYPE = /^(int|integer|bigint|smallint|tinyint|mediumint|numeric|decimal|real|double|float|money|newdecimal|long|longlong|short)/i
const MIDNIGHT_UTC = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.000)?Z$/

/** How a cell reads in the table: a date column's midnight timestamps (how drivers hand over dates) as the date alone. */
export function displayCell(value: unknown, type: string): string {
  const text = cellText(value)
  if (type.toLowerCase() === 'date') return MIDNIGHT_UTC.exec(text)?.[1] ?? text
  return text
}

/** A run's rows with their count, duration and freshness; a truncated result says so. */
export function ResultTable({ result }: { result: RunResult }) {
  const rowWord = result.rowCount === 1 ? 'row' : 'rows'
  return (
    <div className="query-result">
      <div className="query-result-meta" role="status">
        <span>
          <strong>{result.rowCount.toLocaleString()}</strong> {rowWord}
        </span>
        <span>{result.durationMs.toLocaleString()} ms</span>
        {result.cached ? <StatusBadge tone="info" label="Cached" title={`Computed ${formatDateTime(result.asOf)}`} /> : <StatusBadge tone="success" label="Fresh" />}
        <span className="muted">as of {formatDateTime(result.asOf)}</span>
      </div>
      {result.truncated ? (
        <p className="query-result-notice">Only the first {result.rowCount.toLocaleString()} rows are shown: the query returned more than its row limit. Narrow it down or raise the row limit.</p>
      ) : null}
      {result.rowCount === 0 ? (
        <p className="chart-empty">The query returned no rows.</p>
      ) : (
        <div className="table-wrap query-result-table">
          <table className="table table--compact">
            <thead>
              <tr>
                {result.columns.map((column) => (
                  <th key={column.name} scope="col" title={column.type} className={NUMERIC_TYPE.test(column.type) ? 'cell-number' : undefined}>
                    {column.name}
                    <span className="query-column-type">{column.type}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, index) => (
                <tr key={index}>
                  {result.columns.map((column) => {
                    const value = row[column.name]
                    const empty = value === null || value === undefined
                    return (
                      <td key={column.name} className={empty ? 'cell-null' : typeof value === 'number' || NUMERIC_TYPE.test(column.type) ? 'cell-number' : undefined}>
                        {empty ? 'null' : displayCell(value, column.type)}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
