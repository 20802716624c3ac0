import { useId, useState, type FormEvent } from 'react'
import { Button } from '../../../components/Button.tsx'
import { DataTable, type Column } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { SelectField, TextField } from '../../../components/Field.tsx'
import { LoadError, Spinner } from '../../../components/Loading.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { formatMs, type ToolCall, type ToolCallPage } from '../api.ts'

interface Filters {
  q: string
  tool: string
  outcome: '' | 'success' | 'protocol' | 'tool'
  source: '' | 'tessera' | 'external'
}

const EMPTY: Filters = { q: '', tool: '', outcome: '', source: '' }
const OUTCOMES = [
  { value: '', label: 'Any outcome' },
  { value: 'success', label: 'Succeeded' },
  { value: 'protocol', label: 'Refused (protocol error)' },
  { value: 'tool', label: 'Failed (tool error)' },
]
const SOURCES = [
  { value: '', label: 'Any server' },
  { value: 'tessera', label: "Tessera's own tools" },
  { value: 'external', label: 'Other MCP servers' },
]

function outcomeBadge(call: ToolCall) {
  if (call.success) {
    return <span className="badge badge--success">ok</span>
  }
  return <span className={`badge badge--${call.errorType === 'protocol' ? 'warning' : 'danger'}`}>{call.errorType === 'protocol' ? 'refused' : 'failed'}</span>
}

function CallDetails({ call }: { call: ToolCall }) {
  const id = useId()
  const payload = {
    executionId: call.executionId,
    operation: call.operation,
    parameters: call.parameters,
    ...(call.success ? { response: call.response, responseSizeBytes: call.responseSizeBytes } : { error: { type: call.errorType, code: call.errorCode, message: call.errorMessage } }),
    client: call.client,
    protocolVersion: call.protocolVersion,
    sessionId: call.sessionId,
    traceId: call.traceId,
    userId: call.userId,
  }
  return (
    <details className="entry-details">
      <summary aria-describedby={id}>Show</summary>
      <span id={id} className="visually-hidden">
        parameters and response of {call.tool} at {formatDateTime(call.timestamp)}
      </span>
      <pre>{JSON.stringify(payload, null, 2)}</pre>
    </details>
  )
}

const COLUMNS: Array<Column<ToolCall>> = [
  { header: 'Time', className: 'nowrap', cell: (call) => formatDateTime(call.timestamp) },
  { header: 'Tool', cell: (call) => (<><span className="mono">{call.tool}</span><div className="muted small">{call.server}{call.source === 'external' ? ' (external)' : ''}</div></>) },
  { header: 'Outcome', className: 'nowrap', cell: (call) => (<>{outcomeBadge(call)}{call.errorCode ? <div className="muted small">{call.errorCode}</div> : null}</>) },
  { header: 'Duration', className: 'nowrap numeric', cell: (call) => formatMs(call.durationMs) },
  { header: 'Client', cell: (call) => (call.client ? `${call.client.name}${call.client.version ? ` ${call.client.version}` : ''}` : <span className="muted">—</span>) },
  { header: 'Details', cell: (call) => <CallDetails call={call} /> },
]

/** The searchable list of recorded tool calls, with their parameters and responses. */
export function ToolCallList({ orgId, from }: { orgId: string; from: string }) {
  const [draft, setDraft] = useState<Filters>(EMPTY)
  const [applied, setApplied] = useState<Filters>(EMPTY)
  const state = useApi<ToolCallPage>(`/orgs/${orgId}/tool-calls`, {
    from,
    q: applied.q.trim() || undefined,
    tool: applied.tool.trim() || undefined,
    source: applied.source || undefined,
    success: applied.outcome === '' ? undefined : applied.outcome === 'success',
    errorType: applied.outcome === 'protocol' || applied.outcome === 'tool' ? applied.outcome : undefined,
    limit: 100,
  })
  const hasFilters = Object.values(applied).some((value) => value !== '')
  const set = (key: keyof Filters) => (value: string) => setDraft((current) => ({ ...current, [key]: value }))
  const handleApply = (event: FormEvent) => {
    event.preventDefault()
    setApplied(draft)
  }

  return (
    <section className="card section" aria-labelledby="mcp-list-heading">
      <h2 id="mcp-list-heading">Tool calls</h2>
      <form className="filters" onSubmit={handleApply} noValidate aria-label="Filter the tool calls">
        <div className="filters-grid">
          <TextField label="Search" name="q" value={draft.q} onChange={set('q')} placeholder="Text in parameters or errors" />
          <TextField label="Tool" name="tool" value={draft.tool} onChange={set('tool')} placeholder="query_metric" />
          <SelectField label="Outcome" name="outcome" value={draft.outcome} onChange={set('outcome')} options={OUTCOMES} />
          <SelectField label="Server" name="source" value={draft.source} onChange={set('source')} options={SOURCES} />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
          <Button variant="ghost" onClick={() => { setDraft(EMPTY); setApplied(EMPTY) }} disabled={!hasFilters}>
            Clear
          </Button>
        </div>
      </form>
      {state.error !== undefined ? <LoadError error={state.error} onRetry={state.reload} /> : null}
      {state.loading && state.data === undefined ? <Spinner label="Loading tool calls…" /> : null}
      {state.data ? (
        <div aria-busy={state.loading}>
          <DataTable
            rows={state.data.calls}
            columns={COLUMNS}
            rowKey={(call) => `${call.executionId}-${call.timestamp}`}
            compact
            empty={<EmptyState title={hasFilters ? 'No tool calls match this search' : 'No tool calls in this window'}>{hasFilters ? 'Clear the search or choose a longer window.' : 'Calls appear here a few seconds after they happen.'}</EmptyState>}
          />
          {state.data.calls.length === 100 ? <p className="muted small">The 100 most recent matches; narrow the search to see older ones.</p> : null}
        </div>
      ) : null}
    </section>
  )
}
