import { useId, useRef, useState } from 'react'
import { Button } from './Button.tsx'

/** A read-only value with a Copy button; falls back to selecting the text where the clipboard API is unavailable. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId()
  const inputRef = useRef<HTMLInputElement>(null)
  const [copied, setCopied] = useState<'idle' | 'copied' | 'select'>('idle')

  const handleCopy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied('copied')
    } catch {
      inputRef.current?.select()
      setCopied('select')
    }
  }

  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} ref={inputRef} readOnly value={value} className="mono" onFocus={(event) => event.target.select()} />
        <Button variant="secondary" onClick={() => void handleCopy()}>
          {copied === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="field-hint" role="status">
        {copied === 'copied' ? 'Copied to the clipboard.' : copied === 'select' ? 'Press Ctrl+C (⌘C) to copy the selected text.' : ''}
      </p>
    </div>
  )
}
