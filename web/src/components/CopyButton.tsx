import { useEffect, useState } from 'react'
import { Button } from './Button.tsx'

/** A small button that copies `value`; `label` names it for screen readers ("Copy SHA-256 of page 1"). */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') {
      return
    }
    const timer = window.setTimeout(() => setState('idle'), 2000)
    return () => window.clearTimeout(timer)
  }, [state])
  return (
    <>
      <Button
        variant="ghost"
        className="btn--small"
        aria-label={label}
        onClick={() => {
          // Inside then(): without a secure context navigator.clipboard is missing and would throw here.
          Promise.resolve()
            .then(() => navigator.clipboard.writeText(value))
            .then(
              () => setState('copied'),
              () => setState('failed'),
            )
        }}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </Button>
      <span className="visually-hidden" role="status">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Copying failed: select the text and copy it by hand.' : ''}
      </span>
    </>
  )
}
