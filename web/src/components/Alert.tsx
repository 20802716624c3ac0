import type { ReactNode } from 'react'

type Tone = 'error' | 'success' | 'info' | 'warning'

/**
 * Errors use role="alert" (announced at once, and focusable so a failed submit can move
 * focus here); other tones use role="status".
 */
export function Alert({ tone = 'error', title, children, className }: { tone?: Tone; title?: string; children?: ReactNode; className?: string }) {
  return (
    <div className={`alert alert--${tone}${className ? ` ${className}` : ''}`} role={tone === 'error' ? 'alert' : 'status'} tabIndex={tone === 'error' ? -1 : undefined}>
      {title ? <p className="alert-title">{title}</p> : null}
      {children ? <div className="alert-body">{children}</div> : null}
    </div>
  )
}
