import { useEffect, useRef, useState } from 'react'
import { Button } from '../../../components/Button.tsx'

/** Shown once after enabling 2FA or regenerating codes; the server keeps only hashes. */
export function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const ref = useRef<HTMLDivElement>(null)
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  const text = codes.join('\n')
  return (
    <div className="secret-panel" ref={ref} tabIndex={-1} role="region" aria-label="Your backup codes">
      <div className="alert alert--warning" role="status">
        <p className="alert-title">Save these backup codes now. They are shown only once.</p>
        <p>Each code signs you in once if you lose your authenticator. Keep them somewhere safe, like a password manager.</p>
      </div>
      <ul className="backup-codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code} className="mono">
            {code}
          </li>
        ))}
      </ul>
      <div className="form-actions">
        <Button
          variant="secondary"
          onClick={() => {
            void navigator.clipboard
              .writeText(text)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }}
        >
          {copied ? 'Copied' : 'Copy all codes'}
        </Button>
        <a className="btn btn--secondary" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="tessera-backup-codes.txt">
          Download as text
        </a>
        <Button variant="primary" onClick={onDone}>
          I have saved my backup codes
        </Button>
      </div>
    </div>
  )
}
