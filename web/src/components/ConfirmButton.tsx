import { useState } from 'react'
import { errorMessage } from '../lib/api.ts'
import { Button } from './Button.tsx'

/**
 * A destructive action that asks once more in place ("Remove" → "Confirm remove" / "Cancel")
 * instead of a browser confirm(), so it works with the keyboard and in tests. Failures show
 * beside the button.
 */
export function ConfirmButton({ label, confirmLabel, onConfirm, subject }: { label: string; confirmLabel?: string; onConfirm: () => Promise<void>; subject?: string }) {
  const [stage, setStage] = useState<'idle' | 'confirm' | 'busy'>('idle')
  const [error, setError] = useState<string | undefined>(undefined)
  const accessible = subject ? `${label} ${subject}` : undefined

  if (stage === 'idle') {
    return (
      <span className="confirm">
        <Button variant="ghost" className="btn--danger-text" aria-label={accessible} onClick={() => { setError(undefined); setStage('confirm') }}>
          {label}
        </Button>
        {error ? <span className="inline-error" role="alert">{error}</span> : null}
      </span>
    )
  }
  return (
    <span className="confirm">
      <Button
        variant="danger"
        busy={stage === 'busy'}
        aria-label={subject ? `${confirmLabel ?? `Confirm ${label.toLowerCase()}`} ${subject}` : undefined}
        autoFocus
        onClick={() => {
          setStage('busy')
          onConfirm()
            .then(() => setStage('idle'))
            .catch((caught: unknown) => {
              setError(errorMessage(caught))
              setStage('idle')
            })
        }}
      >
        {confirmLabel ?? `Confirm ${label.toLowerCase()}`}
      </Button>
      <Button variant="ghost" onClick={() => setStage('idle')} disabled={stage === 'busy'}>
        Cancel
      </Button>
    </span>
  )
}
