import { useEffect, useId, useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { DataTable, type Column } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { SelectField, TextField } from '../../components/Field.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pager } from '../../components/Pager.tsx'
import { ApiError } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { EMPTY_REQUEST_FILTERS, type RequestLogEntry, type RequestLogFilters, type RequestLogPage, type StatusClass } from './requests/api.ts'

const PAGE_SIZE = 50
const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: '2xx', label: '2xx success' },
  { value: '3xx', label: '3xx redirect' },
  { value: '4xx', label: '4xx client error' },
  { value: '5xx', label: '5xx server error' },
]

/** datetime-local has no zone; the browser's zone is what the user means. */
function toIso(local: string): string | undefined {
  if (local === '') {
    return undefined
  }
  const date = new Date(local)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function filtersFrom(params: URLSearchParams): RequestLogFilters {
  const status = params.get('status') ?? ''
  return {
    status: (['2xx', '3xx', '4xx', '5xx'].includes(status) ? status : '') as StatusClass,
    route: params.get('route') ?? '',
    userId: params.get('userId') ?? '',
    organizationId: params.get('organizationId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  }
}

/**
 * Requests: the API requests Tessera logged (telemetry.request_logs), newest first, for
 * instance administrators. Filters live in the URL; pages follow the server's cursor.
 */
export function PageRequests() {
  const [params, setParams] = useSearchParams()
  const applied = filtersFrom(params)
  const appliedKey = params.toString()
  const [draft, setDraft] = useState<RequestLogFilters>(applied)
  // Cursors belong to one filter set; new filters start again at the newest page.
  const [pages, setPages] = useState<{ key: string; cursors: Array<string | undefined> }>({ key: appliedKey, cursors: [undefined] })
  const cursors = pages.key === appliedKey ? pages.cursors : [undefined]
  const cursor = cursors[cursors.length - 1]

  useEffect(() => {
    setDraft(filtersFrom(new URLSearchParams(appliedKey)))
  }, [appliedKey])

  const state = useApi<RequestLogPage>('/admin/request-logs', {
    status: applied.status || undefined,
    route: applied.route.trim() || undefined,
    userId: applied.userId.trim() || undefined,
    organizationId: applied.organizationId.trim() || undefined,
    from: toIso(applied.from),
    to: toIso(applied.to),
    limit: PAGE_SIZE,
    cursor,
  })
  const fieldErrors = state.error instanceof ApiError ? state.error.fieldErrors : {}
  const filterError = Object.keys(fieldErrors).length > 0
  const hasFilters = Object.values(applied).some((value) => value !== '')

  const handleApply = (event: FormEvent) => {
    event.preventDefault()
    const next = new URLSearchParams()
    for (const [key, value] of Object.entries(draft)) {
      if (value.trim() !== '') {
        next.set(key, value.trim())
      }
    }
    setParams(next)
  }
  const handleReset = () => {
    setDraft(EMPTY_REQUEST_FILTERS)
    setParams(new URLSearchParams())
  }
  const set = (key: keyof RequestLogFilters) => (value: string) => setDraft((current) => ({ ...current, [key]: value }))
  const move = (update: (current: Array<string | undefined>) => Array<string | undefined>) =>
    setPages((current) => ({ key: appliedKey, cursors: update(current.key === appliedKey ? current.cursors : [undefined]) }))

  return (
    <div className="page">
      <PageHeader
        title="Requests"
        description="API requests this instance served, newest first, with secrets redacted. They are written in batches, so the latest appear within the analytics flush interval (5 seconds by default)."
        actions={
          <Button variant="secondary" onClick={state.reload}>
            Refresh
          </Button>
        }
      />
      <form className="card filters" onSubmit={handleApply} noValidate aria-label="Filter the requests">
        <div className="filters-grid">
          <SelectField label="Status" name="status" value={draft.status} onChange={set('status')} options={STATUS_OPTIONS} error={fieldErrors.status} />
          <TextField label="Route" name="route" value={draft.route} onChange={set('route')} error={fieldErrors.route} placeholder="/api/v1/orgs/:orgId/dashboards" />
          <TextField label="User id" name="userId" value={draft.userId} onChange={set('userId')} error={fieldErrors.userId} placeholder="uuid" />
          <TextField label="Organization id" name="organizationId" value={draft.organizationId} onChange={set('organizationId')} error={fieldErrors.organizationId} placeholder="uuid" />
          <TextField label="From" name="from" type="datetime-local" value={draft.from} onChange={set('from')} error={fieldErrors.from} />
          <TextField label="To" name="to" type="datetime-local" value={draft.to} onChange={set('to')} error={fieldErrors.to} />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button variant="ghost" onClick={handleReset} disabled={!hasFilters}>
            Clear filters
          </Button>
          {state.data ? (
            <span className="muted filters-window">
              Showing {formatDateTime(state.data.from)} – {formatDateTime(state.data.to)}
            </span>
          ) : null}
        </div>
      </form>

      {state.error !== undefined && !filterError ? <LoadError error={state.error} onRetry={state.reload} /> : null}
      {state.loading && state.data === undefined ? <Spinner label="Loading requests…" /> : null}
      {state.data ? (
        <div className="card" aria-busy={state.loading}>
          <DataTable
            rows={state.data.requests}
            columns={COLUMNS}
            rowKey={(entry) => `${entry.id}-${entry.timestamp}`}
            compact
            empty={
              <EmptyState title={hasFilters ? 'No requests match these filters' : 'No requests logged in this time window'}>
                {hasFilters
                  ? 'Clear or widen the filters, or choose a longer time range.'
                  : 'Requests to the API appear here a few seconds after they are served. Nothing at all? Check that the system setting analytics.enabled is on; without a range, the last 7 days are shown.'}
              </EmptyState>
            }
          />
          <Pager
            label="Request pages"
            previousLabel="← Newer"
            nextLabel="Older →"
            canPrevious={cursors.length > 1 && !state.loading}
            canNext={Boolean(state.data.nextCursor) && !state.loading}
            onPrevious={() => move((current) => current.slice(0, -1))}
            onNext={() => {
              const next = state.data?.nextCursor
              if (next) {
                move((current) => [...current, next])
              }
            }}
          >
            Page {cursors.length}
          </Pager>
        </div>
      ) : null}
    </div>
  )
}

function statusBadge(status: number): string {
  return status >= 500 ? 'danger' : status >= 400 ? 'warning' : 'success'
}

const COLUMNS: Array<Column<RequestLogEntry>> = [
  { header: 'Time', className: 'nowrap', cell: (entry) => formatDateTime(entry.timestamp) },
  {
    header: 'Request',
    cell: (entry) => (
      <>
        <span className="mono">
          {entry.method} {entry.path}
        </span>
        {entry.route && entry.route !== entry.path ? <div className="muted small mono">{entry.route}</div> : null}
      </>
    ),
  },
  {
    header: 'Status',
    className: 'nowrap',
    cell: (entry) => (
      <>
        <span className={`badge badge--${statusBadge(entry.status)}`}>{entry.status}</span>
        {entry.errorType ? <div className="muted small">{entry.errorType}</div> : null}
      </>
    ),
  },
  { header: 'Duration', className: 'nowrap numeric', cell: (entry) => `${entry.durationMs} ms` },
  { header: 'User', cell: (entry) => entry.userEmail ?? (entry.userId ? <span className="mono">{entry.userId.slice(0, 8)}</span> : <span className="muted">anonymous</span>) },
  { header: 'Organization', cell: (entry) => entry.organizationName ?? (entry.organizationId ? <span className="mono">{entry.organizationId.slice(0, 8)}</span> : '—') },
  { header: 'Details', cell: (entry) => <RequestDetails entry={entry} /> },
]

function RequestDetails({ entry }: { entry: RequestLogEntry }) {
  const id = useId()
  const payload = {
    requestId: entry.requestId,
    ...(entry.traceId ? { traceId: entry.traceId, spanId: entry.spanId } : {}),
    ...(entry.correlationId && entry.correlationId !== entry.traceId ? { correlationId: entry.correlationId } : {}),
    timing: { totalMs: entry.durationMs, queueMs: entry.queueTimeMs, processingMs: entry.processingTimeMs },
    responseSizeBytes: entry.responseSizeBytes,
    client: { ip: entry.ipAddress, userAgent: entry.userAgent, version: entry.clientVersion, session: entry.sessionId },
    ...(entry.queryParams ? { query: entry.queryParams } : {}),
    headers: entry.requestHeaders,
    ...(entry.requestBody !== null ? { body: entry.requestBody } : {}),
    ...(entry.responseData ? { response: entry.responseData } : {}),
  }
  return (
    <details className="entry-details">
      <summary aria-describedby={id}>Show</summary>
      <span id={id} className="visually-hidden">
        details of {entry.method} {entry.path} at {formatDateTime(entry.timestamp)}
      </span>
      <pre>{JSON.stringify(payload, null, 2)}</pre>
    </details>
  )
}
