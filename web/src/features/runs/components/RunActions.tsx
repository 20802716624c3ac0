import { useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Button } from '../../../components/Button.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { runPath, runsApi, type Run } from '../api.ts'
import { canCancel, canRetry } from '../runStatus.ts'

/**
 * Cancel (asks first: the fetched work is thrown away) while a run can still be stopped, and
 * Retry once it failed, timed out or was cancelled (opens the new run).
 */
export function RunActions({ orgId, run, canWrite, onChanged }: { orgId: string; run: Run; canWrite: boolean; onChanged: () => void }) {
  const navigate = useNavigate()
  const [stage, setStage] = useState<'idle' | 'confirm' | 'busy'>('idle')
  const [error, setError] = useState<string | undefined>(undefined)
  if (!canWrite || (!canCancel(run.status) && !canRetry(run.status))) {
    return null
  }

  const act = (action: () => Promise<void>) => {
    setStage('busy')
    setError(undefined)
    action()
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setStage('idle'))
  }

  const handleCancel = () =>
    act(async () => {
      try {
        await runsApi.cancel(orgId, run.id)
      } finally {
        // Also after a refusal: the run most likely ended meanwhile, and the page should say so.
        onChanged()
      }
    })

  const handleRetry = () =>
    act(async () => {
      const created = await runsApi.retry(orgId, run.id)
      navigate(runPath(orgId, created.id))
    })

  return (
    <div className="run-actions">
      {canRetry(run.status) ? (
        <Button variant="primary" busy={stage === 'busy'} busyLabel="Starting…" onClick={handleRetry}>
          Retry run
        </Button>
      ) : stage === 'confirm' ? (
        <span className="confirm" role="group" aria-label="Confirm cancelling the run">
          <span className="confirm-question">Stop run #{run.runNumber}?</span>
          <Button variant="danger" autoFocus onClick={handleCancel}>
            Yes, cancel run
          </Button>
          <Button variant="ghost" onClick={() => setStage('idle')}>
            Keep running
          </Button>
        </span>
      ) : (
        <Button variant="secondary" className="btn--danger-text" busy={stage === 'busy'} busyLabel="Cancelling…" onClick={() => setStage('confirm')}>
          Cancel run
        </Button>
      )}
      {error ? (
        <span className="inline-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  )
}
