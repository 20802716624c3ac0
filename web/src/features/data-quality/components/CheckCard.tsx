import { useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { CHECK_TYPE_LABELS, ON_FAILURE_LABELS, qualityApi, type CheckResult, type QualityCheck } from '../api.ts'
import { configSummary, percent } from '../checkForm.ts'
import { CheckResultView } from './CheckResultView.tsx'
import { QualityCheckForm } from './QualityCheckForm.tsx'
import { ResultHistory } from './ResultHistory.tsx'

interface Props {
  orgId: string
  pipelineId: string
  check: QualityCheck
  writer: boolean
  /** This check paused the pipeline (its status reason names it). */
  paused: boolean
  onChanged: () => void
}

/** One check: what it looks at, what a failure does, its latest result, and Run now / Edit / Delete. */
export function CheckCard({ orgId, pipelineId, check, writer, paused, onChanged }: Props) {
  const [editing, setEditing] = useState(false)
  const [running, setRunning] = useState(false)
  const [runResult, setRunResult] = useState<CheckResult | undefined>(undefined)
  const [runError, setRunError] = useState<string | undefined>(undefined)
  const [version, setVersion] = useState(0)
  const headingId = `check-${check.id}`

  const handleRun = () => {
    setRunning(true)
    setRunError(undefined)
    qualityApi
      .run(orgId, pipelineId, check.id)
      .then((result) => {
        setRunResult(result)
        setVersion((value) => value + 1)
        onChanged()
      })
      .catch((caught: unknown) => setRunError(errorMessage(caught)))
      .finally(() => setRunning(false))
  }

  return (
    <li className={`check-card${check.enabled ? '' : ' check-card--disabled'}`} aria-labelledby={headingId}>
      <div className="check-card-header">
        <h3 id={headingId}>{check.name}</h3>
        <span className="badge badge--muted">{CHECK_TYPE_LABELS[check.checkType]}</span>
        {check.enabled ? null : <StatusBadge label="Disabled" tone="muted" />}
        {paused ? <StatusBadge label="Paused the pipeline" tone="warning" /> : null}
      </div>
      {editing ? (
        <QualityCheckForm
          orgId={orgId}
          pipelineId={pipelineId}
          existing={check}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false)
            onChanged()
          }}
        />
      ) : (
        <>
          <dl className="details check-details">
            <dt>Checks</dt>
            <dd className="mono small">{configSummary(check)}</dd>
            <dt>On failure</dt>
            <dd>{ON_FAILURE_LABELS[check.onFailure]}</dd>
            {check.checkType === 'freshness' ? null : (
              <>
                <dt>Threshold</dt>
                <dd>{percent(check.threshold)} of checked rows pass</dd>
              </>
            )}
          </dl>
          {runResult ? (
            <div className="check-run-result" role="status">
              <p className="small muted">Run now, over the newest stored rows (a manual run never pauses the pipeline):</p>
              <CheckResultView passed={runResult.passed} result={runResult.result} executedAt={runResult.executedAt} label="Run now result" />
            </div>
          ) : (
            <CheckResultView passed={check.passed} result={check.result} executedAt={check.executedAt} />
          )}
          {writer ? (
            <div className="inline-actions">
              <Button variant="secondary" busy={running} busyLabel="Running…" onClick={handleRun} aria-label={`Run now: ${check.name}`}>
                Run now
              </Button>
              <Button variant="ghost" onClick={() => setEditing(true)} aria-label={`Edit ${check.name}`}>
                Edit
              </Button>
              <ConfirmButton
                label="Delete"
                subject={`check ${check.name}`}
                onConfirm={async () => {
                  await qualityApi.remove(orgId, pipelineId, check.id)
                  onChanged()
                }}
              />
              {runError ? (
                <span className="inline-error" role="alert">
                  {runError}
                </span>
              ) : null}
            </div>
          ) : null}
          <ResultHistory orgId={orgId} pipelineId={pipelineId} checkId={check.id} version={version} />
        </>
      )}
    </li>
  )
}
