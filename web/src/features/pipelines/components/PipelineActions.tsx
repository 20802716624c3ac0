import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router-dom'
import { Button } from '../../../components/Button.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { pipelinesApi, type Pipeline } from '../api.ts'

/** Pause (with an optional reason) or resume; a failed pipeline resumes too. */
export function PauseResume({ orgId, pipeline, onChanged }: { orgId: string; pipeline: Pipeline; onChanged: () => void }) {
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)

  const run = (action: () => Promise<Pipeline>) => {
    setBusy(true)
    setError(undefined)
    action()
      .then(() => {
        setReason('')
        onChanged()
      })
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setBusy(false))
  }

  const handlePause = (event: FormEvent) => {
    event.preventDefault()
    run(() => pipelinesApi.pause(orgId, pipeline.id, reason.trim() || undefined))
  }

  return (
    <div className="section-block">
      {pipeline.status === 'active' ? (
        <form className="form-inline" onSubmit={handlePause} aria-label="Pause the pipeline">
          <div className="field grow">
            <label htmlFor="pause-reason">Reason for pausing (optional)</label>
            <input id="pause-reason" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={1000} placeholder="Shown as the pipeline's status reason" />
          </div>
          <div className="form-inline-action">
            <Button type="submit" variant="secondary" busy={busy} busyLabel="Pausing…">
              Pause
            </Button>
          </div>
        </form>
      ) : (
        <div className="inline-actions">
          <Button variant="primary" busy={busy} busyLabel="Resuming…" onClick={() => run(() => pipelinesApi.resume(orgId, pipeline.id))}>
            Resume
          </Button>
          <span className="muted small">{pipeline.status === 'paused' ? 'Pushes are refused and runs are not scheduled while paused.' : 'Resuming clears the error and schedules the next run.'}</span>
        </div>
      )}
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  )
}

/** Queues a run at once and opens its page. */
export function RunNowButton({ orgId, pipeline }: { orgId: string; pipeline: Pipeline }) {
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  return (
    <span className="confirm">
      <Button
        variant="primary"
        busy={busy}
        busyLabel="Starting…"
        onClick={() => {
          setBusy(true)
          setError(undefined)
          pipelinesApi
            .runNow(orgId, pipeline.id)
            .then((run) => navigate(`/orgs/${orgId}/runs/${run.id}`))
            .catch((caught: unknown) => {
              setError(errorMessage(caught))
              setBusy(false)
            })
        }}
      >
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
