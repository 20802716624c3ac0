import { Link, useParams } from 'react-router-dom'
import { CodeBlock } from '../../components/CodeBlock.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { StatusBadge } from '../../components/StatusBadge.tsx'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { CATEGORY_LABELS, type ErrorGroupDetail } from './errors/api.ts'
import { ResolveErrorForm } from './errors/ResolveErrorForm.tsx'

const title = (message: string) => (message.length > 90 ? `${message.slice(0, 87)}…` : message)

/** One error group: what failed, where and how often, its stack and context, and its resolution. */
export function PageError() {
  const { errorId } = useParams()
  const state = useApi<ErrorGroupDetail>(`/admin/errors/${errorId ?? ''}`)
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/admin/errors">Errors</Link> /
      </p>
      <Loader state={state} label="Loading the error…">
        {(group) => {
          const { resolutionHistory = [], ...context } = group.context
          return (
            <>
              <PageHeader
                title={title(group.message)}
                description={
                  <>
                    <span className="mono">{group.errorCode ?? 'no code'}</span> · {CATEGORY_LABELS[group.category ?? ''] ?? group.category ?? 'uncategorized'} · level {group.level}
                  </>
                }
                actions={group.resolved ? <StatusBadge label="Resolved" tone="success" /> : <StatusBadge label={group.reopenedCount > 0 ? 'Reopened' : 'Open'} tone={group.reopenedCount > 0 ? 'danger' : 'warning'} />}
              />
              <Section title="Summary" id="error-summary">
                <dl className="details">
                  <dt>Message</dt>
                  <dd>{group.message}</dd>
                  <dt>Occurrences</dt>
                  <dd>{group.occurrenceCount.toLocaleString()}</dd>
                  <dt>First seen</dt>
                  <dd>{formatDateTime(group.firstOccurrence)}</dd>
                  <dt>Last seen</dt>
                  <dd>
                    {formatDateTime(group.lastOccurrence)} ({formatRelative(group.lastOccurrence)})
                  </dd>
                  <dt>Where</dt>
                  <dd>{group.where ? `${group.source === 'job' ? 'job ' : ''}${group.where}` : '—'}</dd>
                  <dt>Severity</dt>
                  <dd>{group.severity === null ? '—' : `${group.severity} of 5${group.impactLevel ? ` (${group.impactLevel} impact)` : ''}`}</dd>
                  <dt>Organization</dt>
                  <dd>{group.organizationName ?? 'The instance (no organization)'}</dd>
                  <dt>Environment</dt>
                  <dd>
                    {group.environment ?? '—'}, version {group.serviceVersion ?? '—'}
                  </dd>
                  {group.requestId ? (
                    <>
                      <dt>Latest request id</dt>
                      <dd className="mono">{group.requestId}</dd>
                    </>
                  ) : null}
                  {group.executionId ? (
                    <>
                      <dt>Latest execution</dt>
                      <dd className="mono">{group.executionId}</dd>
                    </>
                  ) : null}
                  {group.reopenedCount > 0 ? (
                    <>
                      <dt>Reopened</dt>
                      <dd>{group.reopenedCount === 1 ? 'once' : `${group.reopenedCount} times`} after being resolved</dd>
                    </>
                  ) : null}
                </dl>
              </Section>
              <Section
                title="Resolution"
                id="error-resolution"
                description={group.resolved ? undefined : 'Resolve the error once it is fixed. If it happens again, it reopens and the resolution is kept in its history.'}
              >
                {group.resolved ? (
                  <dl className="details">
                    <dt>Resolved</dt>
                    <dd>
                      {formatDateTime(group.resolvedAt)} by {group.resolvedByEmail ?? group.resolvedBy ?? 'someone'}
                    </dd>
                    <dt>Notes</dt>
                    <dd className="pre-line">{group.resolutionNotes ?? '—'}</dd>
                  </dl>
                ) : (
                  <ResolveErrorForm errorId={group.id} onResolved={state.reload} />
                )}
                {resolutionHistory.length > 0 ? (
                  <>
                    <h3>Earlier resolutions</h3>
                    <ul className="stack">
                      {resolutionHistory.map((entry, index) => (
                        <li key={`${entry.resolvedAt ?? ''}-${index}`}>
                          Resolved {formatDateTime(entry.resolvedAt)}: “{entry.notes ?? 'no notes'}” — reopened {formatDateTime(entry.reopenedAt)}
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </Section>
              <Section title="Stack trace" id="error-stack" description="Of the latest occurrence.">
                {group.stackTrace ? <CodeBlock label="Stack trace" code={group.stackTrace} /> : <p className="muted">No stack trace was recorded.</p>}
              </Section>
              <Section title="Context" id="error-context" description="Where the latest occurrence happened; secrets are redacted before they are stored.">
                <CodeBlock label="Context" code={JSON.stringify(context, null, 2)} />
              </Section>
            </>
          )
        }}
      </Loader>
    </div>
  )
}
