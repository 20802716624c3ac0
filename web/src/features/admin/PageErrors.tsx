import { useEffect, useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { DataTable, type Column } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { SelectField, TextField } from '../../components/Field.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { Pager } from '../../components/Pager.tsx'
import { StatusBadge } from '../../components/StatusBadge.tsx'
import { ApiError } from '../../lib/api.ts'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { CATEGORY_LABELS, ERROR_CATEGORIES, type ErrorGroup, type ErrorPage, type ErrorSort, type ErrorStatusFilter } from './errors/api.ts'

const PAGE_SIZE = 50

interface Filters {
  q: string
  status: ErrorStatusFilter
  category: string
  sort: ErrorSort
}

function filtersFrom(params: URLSearchParams): Filters {
  const status = params.get('status')
  return {
    q: params.get('q') ?? '',
    status: status === 'resolved' || status === 'all' ? status : 'open',
    category: params.get('category') ?? '',
    sort: params.get('sort') === 'occurrence_count' ? 'occurrence_count' : 'last_occurrence',
  }
}

const STATUS_OPTIONS = [
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
]
const CATEGORY_OPTIONS = [{ value: '', label: 'Any category' }, ...ERROR_CATEGORIES.map((category) => ({ value: category, label: CATEGORY_LABELS[category] ?? category }))]
const SORT_OPTIONS = [
  { value: 'last_occurrence', label: 'Last seen' },
  { value: 'occurrence_count', label: 'Most frequent' },
]

/**
 * Server errors and failed jobs of the whole instance, grouped by fingerprint. Filters live in
 * the URL; pages are walked with the server's cursor, the cursors seen kept to go back.
 */
export function PageErrors() {
  const [params, setParams] = useSearchParams()
  const applied = filtersFrom(params)
  const appliedKey = params.toString()
  const [draft, setDraft] = useState<Filters>(applied)
  const [pages, setPages] = useState<{ key: string; cursors: Array<string | undefined> }>({ key: appliedKey, cursors: [undefined] })
  const cursors = pages.key === appliedKey ? pages.cursors : [undefined]
  const cursor = cursors[cursors.length - 1]
  const setCursors = (update: (current: Array<string | undefined>) => Array<string | undefined>) =>
    setPages((current) => ({ key: appliedKey, cursors: update(current.key === appliedKey ? current.cursors : [undefined]) }))

  useEffect(() => {
    setDraft(filtersFrom(new URLSearchParams(appliedKey)))
  }, [appliedKey])

  const state = useApi<ErrorPage>('/admin/errors', {
    q: applied.q.trim() || undefined,
    resolved: applied.status === 'all' ? undefined : String(applied.status === 'resolved'),
    category: applied.category || undefined,
    sort: applied.sort,
    limit: PAGE_SIZE,
    cursor,
  })
  const fieldErrors = state.error instanceof ApiError ? state.error.fieldErrors : {}

  const handleApply = (event: FormEvent) => {
    event.preventDefault()
    const next = new URLSearchParams()
    if (draft.q.trim() !== '') {
      next.set('q', draft.q.trim())
    }
    if (draft.status !== 'open') {
      next.set('status', draft.status)
    }
    if (draft.category !== '') {
      next.set('category', draft.category)
    }
    if (draft.sort !== 'last_occurrence') {
      next.set('sort', draft.sort)
    }
    setParams(next)
  }
  const hasFilters = applied.q !== '' || applied.category !== '' || applied.status !== 'open'

  return (
    <div className="page">
      <PageHeader
        title="Errors"
        description="Server errors (5xx answers) and failed background jobs, grouped: occurrences with the same error code, message and code path count into one group."
        actions={<Button variant="secondary" onClick={state.reload}>Refresh</Button>}
      />
      <form className="card filters" onSubmit={handleApply} noValidate aria-label="Filter errors">
        <div className="filters-grid">
          <TextField label="Search messages" name="q" type="search" value={draft.q} onChange={(q) => setDraft({ ...draft, q })} error={fieldErrors.q} placeholder="e.g. timeout or relation" />
          <SelectField label="Status" name="status" value={draft.status} onChange={(status) => setDraft({ ...draft, status: status as ErrorStatusFilter })} options={STATUS_OPTIONS} />
          <SelectField label="Category" name="category" value={draft.category} onChange={(category) => setDraft({ ...draft, category })} options={CATEGORY_OPTIONS} />
          <SelectField label="Sort by" name="sort" value={draft.sort} onChange={(sort) => setDraft({ ...draft, sort: sort as ErrorSort })} options={SORT_OPTIONS} />
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Apply
          </Button>
          <Button variant="ghost" onClick={() => setParams(new URLSearchParams())} disabled={!hasFilters && applied.sort === 'last_occurrence'}>
            Clear filters
          </Button>
        </div>
      </form>

      {state.error !== undefined && Object.keys(fieldErrors).length === 0 ? <LoadError error={state.error} onRetry={state.reload} /> : null}
      {state.loading && state.data === undefined ? <Spinner label="Loading errors…" /> : null}
      {state.data ? (
        <div className="card" aria-busy={state.loading}>
          <DataTable
            rows={state.data.errors}
            columns={COLUMNS}
            rowKey={(group) => group.id}
            compact
            empty={
              hasFilters ? (
                <EmptyState title="No errors match these filters">Clear the search or choose another status or category.</EmptyState>
              ) : (
                <EmptyState title="No open errors">
                  Server errors (requests answered with a 5xx status) and failed background jobs appear here as they happen, one row per kind of error with how often it
                  occurred. Resolved errors are under the status “Resolved”.
                </EmptyState>
              )
            }
          />
          {state.data.nextCursor || cursors.length > 1 ? (
            <Pager
              label="Error pages"
              previousLabel="← Previous"
              nextLabel="Next →"
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
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

export function levelTone(group: Pick<ErrorGroup, 'level' | 'severity'>): 'danger' | 'warning' | 'muted' {
  if (group.level === 'fatal' || group.level === 'error') {
    return (group.severity ?? 0) >= 4 ? 'danger' : 'warning'
  }
  return group.level === 'warn' ? 'warning' : 'muted'
}

const COLUMNS: Array<Column<ErrorGroup>> = [
  {
    header: 'Error',
    className: 'error-cell',
    cell: (group) => (
      <>
        <Link to={`/admin/errors/${group.id}`} className="error-message">
          {group.message}
        </Link>
        <div className="muted small">
          <span className="mono">{group.errorCode ?? '—'}</span>
          {group.where ? <> · {group.where}</> : null}
        </div>
      </>
    ),
  },
  { header: 'Category', cell: (group) => <span className={`badge badge--${levelTone(group)}`}>{CATEGORY_LABELS[group.category ?? ''] ?? group.category ?? '—'}</span> },
  { header: 'Count', className: 'num', cell: (group) => group.occurrenceCount.toLocaleString() },
  { header: 'Last seen', className: 'nowrap', cell: (group) => <span title={formatDateTime(group.lastOccurrence)}>{formatRelative(group.lastOccurrence)}</span> },
  { header: 'Organization', cell: (group) => group.organizationName ?? <span className="muted">instance</span> },
  {
    header: 'Status',
    cell: (group) =>
      group.resolved ? (
        <StatusBadge label="Resolved" tone="success" />
      ) : group.reopenedCount > 0 ? (
        <StatusBadge label="Reopened" tone="danger" title={`Came back ${group.reopenedCount} time(s) after being resolved`} />
      ) : (
        <StatusBadge label="Open" tone="warning" />
      ),
  },
]
