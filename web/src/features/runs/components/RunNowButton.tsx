import { useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Button } from '../../../components/Button.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { runPath, runsApi, type PipelineSummary } from '../api.ts'

/** Why a pipeline can't be run from here, or undefined when it can. */
export function runBlocker(pipeline: PipelineSummary, canWrite: boolean): string | undefined {
  if (!canWrite) {
    return 'Viewers can’t start runs; ask a member or admin of the organization.'
  }
  if (!pipeline.dataSourceId) {
    return pipeline.type === 'polling'
      ? 'This pipeline has no data source to fetch from yet; choose one on its overview.'
      : 'This pipeline receives pushed records, so it has no runs: runs fetch from a data source.'
  }
  if (pipeline.status === 'paused') {
    return 'This pipeline is paused; resume it on its overview to run it.'
  }
  return undefined
}

/** Starts a run and opens its page; a refusal (paused, no data source) shows beside the button. */
export function RunNowButton({ orgId, pipeline, canWrite, variant = 'primary' }: { orgId: string; pipeline: PipelineSummary; canWrite: boolean; variant?: 'primary' | 'secondary' }) {
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const blocker = runBlocker(pipeline, canWrite)

  const handleRun = () => {
    setBusy(true)
    setError(undefined)
    runsApi
      .trigger(orgId, pipeline.id)
      .then((run) => navigate(runPath(orgId, run.id)))
      .catch((caught: unknown) => {
        setError(errorMessage(caught))
        setBusy(false)
      })
  }

  return (
    <span className="run-now">
      <Button variant={variant} busy={busy} busyLabel="Starting…" disabled={blocker !== undefined} title={blocker} onClick={handleRun}>
        Run now
      </Button>
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  )
}
