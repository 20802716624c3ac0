import { useEffect, useRef } from 'react'
import { Button } from '../../../components/Button.tsx'
import { CopyField } from '../../../components/CopyField.tsx'
import type { CreatedApiKey } from '../api.ts'

/** The secret exists in the browser only here; the server stores a hash and can't show it again. */
export function NewKeySecret({ apiKey, onDismiss }: { apiKey: CreatedApiKey; onDismiss: () => void }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return (
    <div className="secret-panel" ref={ref} tabIndex={-1} role="region" aria-label="Your new API key">
      <p className="secret-title">API key “{apiKey.name}” created</p>
      <div className="alert alert--warning" role="status">
        <p className="alert-title">Copy this key now. You won't be able to see it again.</p>
        <p>Store it in a secret manager. If it is lost, revoke it and create a new one.</p>
      </div>
      <CopyField label="Secret key" value={apiKey.key} />
      <p className="muted">
        Use it as <code>Authorization: Bearer {apiKey.prefix}…</code>. Scopes: {apiKey.scopes.join(', ')}.
      </p>
      <Button variant="secondary" onClick={onDismiss}>
        I have stored the key
      </Button>
    </div>
  )
}
