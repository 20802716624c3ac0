import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router-dom'
import { Button } from '../../../components/Button.tsx'
import { DataTable, type Column } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { TextField } from '../../../components/Field.tsx'
import { LoadError, Spinner } from '../../../components/Loading.tsx'
import { Pager } from '../../../components/Pager.tsx'
import { ApiError } from '../../../lib/api.ts'
import { formatDateTime } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { EMPTY_FILTERS, type AuditEntry, type AuditFilters, type AuditPage } from '../api.ts'

const PAGE_SIZE = 50

/** datetime-local has no zone; the browser's zone is what the user means. */
function toIso(local: string): string | undefined {
  if (local === '') {
    return undefined
  }
  const date = new Date(local)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function filtersFrom(params: URLSearchParams): AuditFilters {
  return {
    actor: params.get('actor') ?? '',
    resource: params.get('resource') ?? '',
    action: params.get('action') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  }
}

/**
 * The audit table shared by the organization and instance pages. Filters live in the URL
 * (shareable, and Back works); pages are walked with the server's cursor, and the cursors
 * seen so far are kept to go back to newer pages.
 */
export function AuditLog({ path, showOrganization = false }: { path: string; showOrganization?: boolean }) {
  const [params, setParams] = useSearchParams()
  const applied = filtersFrom(params)
  const [draft, setDraft] = useState<AuditFilters>(applied)
  const formRef = useRef<HTMLFormElement>(null)
  const appliedKey = params.toString()
  // Cursors belong to one filter set; new filters start again at the newest page.
  const [pages, setPages] = useState<{ key: string; cursors: Array<string | undefined> }>({ key: appliedKey, cursors: [undefined] })
  const cursors = pages.key === appliedKey ? pages.cursors : [undefined]
  const cursor = cursors[cursors.length - 1]
  const setCursors = (update: (current: Array<string | undefined>) => Array<string | undefined>) =>
    setPages((current) => ({ key: appliedKey, cursors: update(current.key === appliedKey ? current.cursors : [undefined]) }))

  useEffect(() => {
    setDraft(filtersFrom(new URLSearchParams(appliedKey)))
  }, [appliedKey])

  const state = useApi<AuditPage>(path, {
    actor: applied.actor.trim() || undefined,
    resource: applied.resource.trim() || undefined,
    action: applied.action.trim() || undefined,
    from: toIso(applied.from),
    to: toIso(applied.to),
    limit: PAGE_SIZE,
    cursor,
  })
  const fieldErrors = state.error instanceof ApiError ? state.error.fieldErrors : {}
  const filterError = Object.keys(fieldErrors).length > 0

  useEffect(() => {
    if (filterError) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
    }
  }, [filterError, state.error])

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
    setDraft(EMPTY_FILTERS)
    setParams(new URLSearchParams())
  }

  const set = (key: keyof AuditFilters) => (value: string) => setDraft((current) => ({ ...current, [key]: value }))
  const hasFilters = Object.values(applied).some((value) => value !== '')

  return (
    <div className="audit">
      <form ref={formRef} className="card filters" onSubmit={handleApply} noValidate aria-label="Filter the audit log">
        <div className="filters-grid">
          <TextField label="Actor" name="actor" value={draft.actor} onChange={set('actor')} error={fieldErrors.actor} placeholder="email or user id" />
          <TextField label="Resource" name="resource" value={draft.resource} onChange={set('resource')} error={fieldErrors.resource} placeholder="e.g. app.organizations" />
          <TextField label="Action" name="action" value={draft.action} onChange={set('action')} error={fieldErrors.action} placeholder="e.g. UPDATE or login_failure" />
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
      {state.loading && state.data === undefined ? <Spinner label="Loading audit entries…" /> : null}
      {state.data ? (
        <div className="card" aria-busy={state.loading}>
          <DataTable
            rows={state.data.entries}
            columns={auditColumns(showOrganization)}
            rowKey={(entry) => `${entry.id}-${entry.createdAt}`}
            compact
            empty={
              <EmptyState title={hasFilters ? 'No entries match these filters' : 'No audit entries in this time window'}>
                {hasFilters ? 'Clear or widen the filters, or choose a longer time range.' : 'Changes and sign-ins appear here as they happen. Without a range, the last 30 days are shown; pick an earlier “From” date to look further back.'}
              </EmptyState>
            }
          />
          <Pager
            label="Audit log pages"
            previousLabel="← Newer"
            nextLabel="Older →"
            canPrevious={cursors.length > 1 && !state.loading}
            canNext={Boolean(state.data.nextCursor) && !state.loading}
            onPrevious={() => setCursors((current) => current.slice(0, -1))}
            onNext={() => {
              const next = state.data?.nextCursor
              if (next) {
                setCursors((current) => [...current, next])
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

function describeAction(entry: AuditEntry): string {
  return entry.action === 'EVENT' ? entry.eventType : `${entry.action.toLowerCase()}`
}

function auditColumns(showOrganization: boolean): Array<Column<AuditEntry>> {
  const organization: Column<AuditEntry> = { header: 'Organization', className: 'mono small', cell: (entry) => (entry.organizationId ? entry.organizationId.slice(0, 8) : '—') }
  return [
    { header: 'Time', className: 'nowrap', cell: (entry) => formatDateTime(entry.createdAt) },
    { header: 'Actor', cell: (entry) => entry.userEmail ?? (entry.userId ? <span className="mono">{entry.userId.slice(0, 8)}</span> : <span className="muted">system</span>) },
    {
      header: 'Action',
      cell: (entry) => (
        <span className={`badge badge--${entry.severity === 'high' || entry.severity === 'critical' ? 'danger' : entry.severity === 'medium' ? 'warning' : 'muted'}`}>{describeAction(entry)}</span>
      ),
    },
    {
      header: 'Resource',
      cell: (entry) => (
        <>
          <span className="mono">{entry.tableName}</span>
          {entry.changedFields && entry.changedFields.length > 0 ? <div className="muted small">changed: {entry.changedFields.join(', ')}</div> : null}
        </>
      ),
    },
    ...(showOrganization ? [organization] : []),
    { header: 'IP address', className: 'mono small', cell: (entry) => entry.ipAddress ?? '—' },
    { header: 'Details', cell: (entry) => <EntryDetails entry={entry} /> },
  ]
}

function EntryDetails({ entry }: { entry: AuditEntry }) {
  const id = useId()
  const payload = {
    ...(entry.eventDetails ? { details: entry.eventDetails } : {}),
    ...(entry.oldValues ? { before: entry.oldValues } : {}),
    ...(entry.newValues ? { after: entry.newValues } : {}),
    ...(entry.recordId ? { recordId: entry.recordId } : {}),
    ...(entry.requestId ? { requestId: entry.requestId } : {}),
  }
  if (Object.keys(payload).length === 0) {
    return <span className="muted">—</span>
  }
  return (
    <details className="entry-details">
      <summary aria-describedby={id}>Show</summary>
      <span id={id} className="visually-hidden">
        details of {describeAction(entry)} at {formatDateTime(entry.createdAt)}
      </span>
      <pre>{JSON.stringify(payload, null, 2)}</pre>
    </details>
  )
}
