import { useState } from 'react'
import { DataTable, type Column } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import { formatMs, formatPercent, type ToolFigures, type ToolUsageSummary } from '../api.ts'

type Order = 'calls' | 'slowest' | 'failing'
const ORDERS: Array<{ value: Order; label: string }> = [
  { value: 'calls', label: 'Most called' },
  { value: 'slowest', label: 'Slowest (p95)' },
  { value: 'failing', label: 'Most failing' },
]

const sorters: Record<Order, (a: ToolFigures, b: ToolFigures) => number> = {
  calls: (a, b) => b.calls - a.calls,
  slowest: (a, b) => b.p95Ms - a.p95Ms,
  failing: (a, b) => a.successRate - b.successRate || b.failed - a.failed,
}

const TOOL_COLUMNS: Array<Column<ToolFigures>> = [
  { header: 'Tool', cell: (row) => (<><span className="mono">{row.tool}</span><div className="muted small">{row.server}</div></>) },
  { header: 'Calls', className: 'numeric', cell: (row) => row.calls.toLocaleString() },
  { header: 'Success', className: 'numeric', cell: (row) => (row.failed > 0 ? <span className="badge badge--warning">{formatPercent(row.successRate)}</span> : formatPercent(row.successRate)) },
  { header: 'p50', className: 'numeric nowrap', cell: (row) => formatMs(row.p50Ms) },
  { header: 'p95', className: 'numeric nowrap', cell: (row) => formatMs(row.p95Ms) },
  { header: 'Slowest', className: 'numeric nowrap', cell: (row) => formatMs(row.maxMs) },
  { header: 'Cache hits', className: 'numeric', cell: (row) => formatPercent(row.cacheHitRate) },
]

type ErrorRow = ToolUsageSummary['topErrors'][number]
const ERROR_COLUMNS: Array<Column<ErrorRow>> = [
  { header: 'Tool', cell: (row) => <span className="mono">{row.tool}</span> },
  { header: 'Error', cell: (row) => (<>{row.message ?? '—'}<div className="muted small">{[row.errorType, row.errorCode].filter(Boolean).join(' · ')}</div></>) },
  { header: 'Count', className: 'numeric', cell: (row) => row.count.toLocaleString() },
  { header: 'Last seen', className: 'nowrap', cell: (row) => formatDateTime(row.lastSeen) },
]

type ClientRow = ToolUsageSummary['clients'][number]
const CLIENT_COLUMNS: Array<Column<ClientRow>> = [
  { header: 'Client', cell: (row) => (<>{row.name}{row.version ? <span className="muted"> {row.version}</span> : null}</>) },
  { header: 'Calls', className: 'numeric', cell: (row) => row.calls.toLocaleString() },
  { header: 'Users', className: 'numeric', cell: (row) => row.users.toLocaleString() },
]

/** Per tool figures (ordered by calls, p95 or failures), the most frequent errors and the clients. */
export function ToolTables({ summary }: { summary: ToolUsageSummary }) {
  const [order, setOrder] = useState<Order>('calls')
  const tools = [...summary.tools].sort(sorters[order])
  return (
    <>
      <section className="card section" aria-labelledby="mcp-tools-heading">
        <div className="section-header">
          <h2 id="mcp-tools-heading">Tools</h2>
          <div className="segmented" role="group" aria-label="Order the tools">
            {ORDERS.map((item) => (
              <button key={item.value} type="button" className={`segmented-option${order === item.value ? ' segmented-option--active' : ''}`} aria-pressed={order === item.value} onClick={() => setOrder(item.value)}>
                {item.label}
              </button>
            ))}
          </div>
        </div>
        <DataTable rows={tools} columns={TOOL_COLUMNS} rowKey={(row) => `${row.server}/${row.tool}`} compact empty={<EmptyState title="No tool calls in this window" />} />
      </section>
      <section className="card section" aria-labelledby="mcp-errors-heading">
        <h2 id="mcp-errors-heading">Top errors</h2>
        <DataTable rows={summary.topErrors} columns={ERROR_COLUMNS} rowKey={(row) => `${row.tool}/${row.errorCode}/${row.message}`} compact empty={<p className="muted">No failed calls in this window.</p>} />
      </section>
      <section className="card section" aria-labelledby="mcp-clients-heading">
        <h2 id="mcp-clients-heading">Clients</h2>
        <DataTable rows={summary.clients} columns={CLIENT_COLUMNS} rowKey={(row) => `${row.name}/${row.version}`} compact empty={<p className="muted">No client named itself (calls without initialize, or external calls without client details).</p>} />
      </section>
    </>
  )
}
