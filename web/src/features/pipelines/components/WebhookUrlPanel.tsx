import { useEffect, useRef, type ReactNode } from 'react'
import { CopyField } from '../../../components/CopyField.tsx'

/** A webhook URL carries its secret: the server keeps only a hash, so this is the one time it is shown. */
export function WebhookUrlPanel({ url, title, children }: { url: string; title: string; children?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return (
    <div className="secret-panel" ref={ref} tabIndex={-1} role="region" aria-label={title}>
      <p className="secret-title">{title}</p>
      <div className="alert alert--warning" role="status">
        <p className="alert-title">Copy this URL now. You won't be able to see it again.</p>
        <p>Anyone with the URL can send records to the pipeline. If it leaks, rotate the webhook secret.</p>
      </div>
      <CopyField label="Webhook URL" value={url} />
      {children}
    </div>
  )
}
