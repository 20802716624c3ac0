import { useState } from 'react'
import { Button } from './Button.tsx'

/** A multi-line snippet (a curl command, a payload) with a Copy button; `label` names it for screen readers. */
export function CodeBlock({ label, code }: { label: string; code: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <figure className="code-block">
      <figcaption className="code-block-caption">
        <span>{label}</span>
        <Button
          variant="ghost"
          aria-label={`Copy ${label}`}
          onClick={() => {
            navigator.clipboard.writeText(code).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </figcaption>
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </figure>
  )
}
