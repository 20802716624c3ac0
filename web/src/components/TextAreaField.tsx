import { useId, type ReactNode, type TextareaHTMLAttributes } from 'react'
import { capitalize } from '../lib/format.ts'

/** A labelled textarea wired like TextField: the hint and the error under it describe it. */
export function TextAreaField({
  label,
  name,
  value,
  onChange,
  error,
  hint,
  className,
  id,
  ...rest
}: Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'value' | 'onChange'> & {
  label: string
  name: string
  value: string
  onChange: (value: string) => void
  error?: string | undefined
  hint?: ReactNode
}) {
  const generated = useId()
  const inputId = id ?? `${generated}-${name}`
  const describedBy = [hint ? `${inputId}-hint` : undefined, error ? `${inputId}-error` : undefined].filter(Boolean).join(' ')
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <textarea {...rest} id={inputId} name={name} value={value} onChange={(event) => onChange(event.target.value)} aria-invalid={error ? true : undefined} aria-describedby={describedBy || undefined} />
      {hint ? (
        <p className="field-hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${inputId}-error`}>
          {capitalize(error)}
        </p>
      ) : null}
    </div>
  )
}
