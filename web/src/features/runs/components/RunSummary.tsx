import { Link } from 'react-router-dom'
import { Alert } from '../../../components/Alert.tsx'
import { ProgressBar } from '../../../components/ProgressBar.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { runPath, type RunDetail } from '../api.ts'
import { formatBytes, formatCount, formatDuration } from '../runFormat.ts'
import { isActive, runDurationSeconds, runStatusLabel, runStatusTone, triggerLabel } from '../runStatus.ts'

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

/** What went wrong, when it did: the server's message and its stable code. */
function RunProblem({ run }: { run: RunDetail }) {
  if (run.status === 'Failed' || run.status === 'Timeout') {
    return (
      <Alert tone="error" title={run.status === 'Timeout' ? 'The run timed out' : 'The run failed'}>
        <p>{run.errorMessage ?? 'No error message was recorded.'}</p>
        {run.errorCode ? (
          <p className="small">
            Error code <code>{run.errorCode}</code>
          </p>
        ) : null}
      </Alert>
    )
  }
  if (run.status === 'Cancelling') {
    return <Alert tone="warning" title="Cancelling">The worker stops at the next page or stage; this page updates when it has.</Alert>
  }
  if (run.status === 'Queued' && run.errorMessage) {
    return (
      <Alert tone="warning" title={`Attempt ${run.retryCount} failed; retrying automatically`}>
        <p>{run.errorMessage}</p>
        <p className="small">
          Retry {run.retryCount} of {run.maxRetries ?? '?'}
          {run.scheduledAt ? `, ${formatRelative(run.scheduledAt)}` : ''}.
        </p>
      </Alert>
    )
  }
  return null
}

/** The run at a glance: status and progress, when and how it ran, how much it moved. */
export function RunSummary({ orgId, run, now }: { orgId: string; run: RunDetail; now: number }) {
  const active = isActive(run.status)
  const pages = run.fetchedContents.length
  return (
    <section className="card section run-summary" aria-label="Summary">
      <div className="run-status-row">
        <StatusBadge label={runStatusLabel(run.status)} tone={runStatusTone(run.status)} />
        {active && run.status !== 'Cancelling' ? (
          <>
            <ProgressBar value={run.progressPercentage} label="Run progress" />
            <span className="muted small">
              {run.status === 'InProgress' && run.currentStage ? `${run.currentStage} · stage ${run.currentStageOrder} of ${run.totalStages}` : 'Waiting for a worker'}
            </span>
          </>
        ) : (
          <span className="muted small">
            {run.stagesCompleted} of {run.totalStages} stages done
          </span>
        )}
      </div>
      <RunProblem run={run} />
      <dl className="stats">
        <Stat label="Duration" value={formatDuration(runDurationSeconds(run, now))} />
        <Stat label="Records processed" value={formatCount(run.contentProcessed)} />
        <Stat label="Fetched" value={formatBytes(run.bytesProcessed)} />
        <Stat label={pages === 1 ? 'Page' : 'Pages'} value={formatCount(pages)} />
      </dl>
      <dl className="details run-details">
        <dt>Triggered by</dt>
        <dd>{triggerLabel(run.triggeredBy)}</dd>
        <dt>Queued</dt>
        <dd>{formatDateTime(run.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{run.startedAt ? formatDateTime(run.startedAt) : 'Not yet'}</dd>
        <dt>{run.status === 'Cancelled' ? 'Cancelled' : 'Finished'}</dt>
        <dd>{run.completedAt ? formatDateTime(run.completedAt) : active ? 'Still running' : '—'}</dd>
        <dt>Automatic retries</dt>
        <dd>
          {run.retryCount}
          {run.maxRetries !== null ? ` of ${run.maxRetries}` : ''}
        </dd>
        {run.parentExecutionId ? (
          <>
            <dt>Retry of</dt>
            <dd>
              <Link to={runPath(orgId, run.parentExecutionId)}>the original run</Link>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  )
}
