import { useState } from 'react'
import { DataTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { Loader } from '../../../components/Loading.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { checksPath, TRIGGER_LABELS, type CheckResult } from '../api.ts'
import { percent, resultSummary } from '../checkForm.ts'
import { FailureExamples, PassedBadge } from './CheckResultView.tsx'

const LIMIT = 20

/** A check's recent results, loaded when first opened; `version` changes after a Run now. */
export function ResultHistory({ orgId, pipelineId, checkId, version }: { orgId: string; pipelineId: string; checkId: string; version: number }) {
  const [open, setOpen] = useState(false)
  return (
    <details className="result-history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Results history</summary>
      {open ? <Results key={version} path={`${checksPath(orgId, pipelineId)}/${checkId}/results`} /> : null}
    </details>
  )
}

function Results({ path }: { path: string }) {
  const state = useApi<{ results: CheckResult[] }>(path, { limit: LIMIT })
  return (
    <Loader state={state} label="Loading results…">
      {(data) => (
        <>
          <DataTable
            compact
            rows={data.results}
            rowKey={(result) => result.id}
            empty={<EmptyState title="No results yet">The check runs on the next pushed batch or pipeline run; Run now evaluates it at once.</EmptyState>}
            columns={[
              { header: 'When', className: 'nowrap small', cell: (result) => formatDateTime(result.executedAt) },
              { header: 'Trigger', cell: (result) => TRIGGER_LABELS[result.trigger] },
              { header: 'Result', cell: (result) => <PassedBadge passed={result.passed} /> },
              { header: 'Pass ratio', className: 'num-cell', cell: (result) => percent(result.result.passRatio) },
              {
                header: 'Details',
                cell: (result) =>
                  result.result.failures && result.result.failures.length > 0 ? (
                    <details>
                      <summary>{resultSummary(result.result)}</summary>
                      <FailureExamples failures={result.result.failures} />
                    </details>
                  ) : (
                    <span className="small">{resultSummary(result.result)}</span>
                  ),
              },
            ]}
          />
          {data.results.length === LIMIT ? <p className="muted small">The newest {LIMIT} results. Results are kept 30 days.</p> : null}
        </>
      )}
    </Loader>
  )
}
