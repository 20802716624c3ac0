import type { ReactNode } from 'react'
import { Link } from 'react-router-dom'
import { DataTable } from '../../../components/DataTable.tsx'
import { ProgressBar } from '../../../components/ProgressBar.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { runPath, type Run } from '../api.ts'
import { formatBytes, formatCount, formatDuration } from '../runFormat.ts'
import { isActive, runDurationSeconds, runStatusLabel, runStatusTone, triggerLabel } from '../runStatus.ts'

function StatusCell({ run }: { run: Run }) {
  return (
    <div className="run-status-cell">
      <StatusBadge label={runStatusLabel(run.status)} tone={runStatusTone(run.status)} />
      {isActive(run.status) && run.status !== 'Cancelling' ? (
        <>
          <ProgressBar value={run.progressPercentage} label={`Run #${run.runNumber} progress`} />
          {run.currentStage ? <span className="muted small">{run.currentStage}</span> : null}
        </>
      ) : null}
      {run.errorMessage && (run.status === 'Failed' || run.status === 'Timeout') ? (
        <span className="run-error-snippet small" title={run.errorMessage}>
          {run.errorMessage}
        </span>
      ) : null}
    </div>
  )
}

/** A pipeline's runs, newest first; each run number opens its page. */
export function RunsTable({ orgId, runs, empty }: { orgId: string; runs: Run[]; empty: ReactNode }) {
  return (
    <DataTable
      rows={runs}
      rowKey={(run) => run.id}
      empty={empty}
      columns={[
        {
          header: 'Run',
          className: 'nowrap',
          cell: (run) => (
            <Link to={runPath(orgId, run.id)} className="run-link">
              Run #{run.runNumber}
            </Link>
          ),
        },
        { header: 'Status', cell: (run) => <StatusCell run={run} /> },
        {
          header: 'Triggered by',
          cell: (run) => (
            <>
              {triggerLabel(run.triggeredBy)}
              {run.parentExecutionId ? <div className="muted small">retry</div> : null}
            </>
          ),
        },
        {
          header: 'Started',
          className: 'nowrap',
          cell: (run) =>
            run.startedAt ? (
              <>
                {formatDateTime(run.startedAt)}
                <div className="muted small">{formatRelative(run.startedAt)}</div>
              </>
            ) : (
              <span className="muted">Not yet · queued {formatRelative(run.createdAt)}</span>
            ),
        },
        { header: 'Duration', className: 'nowrap num', cell: (run) => formatDuration(runDurationSeconds(run)) },
        { header: 'Records', className: 'num', cell: (run) => formatCount(run.contentProcessed) },
        { header: 'Fetched', className: 'nowrap num', cell: (run) => formatBytes(run.bytesProcessed) },
      ]}
    />
  )
}
