import { useId, type ChangeEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'

import { capitalize } from '../lib/format.ts'

interface BaseProps {
  label: string
  name: string
  error?: string | undefined
  hint?: ReactNode
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean)
  return ids.length > 0 ? ids.join(' ') : undefined
}

function FieldMessages({ hintId, errorId, hint, error }: { hintId: string; errorId: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {capitalize(error)}
        </p>
      ) : null}
    </>
  )
}

type TextFieldProps = BaseProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'onChange' | 'value'> & {
    value: string
    onChange: (value: string) => void
  }

/** A labelled input; the error sits under it and is announced through aria-describedby. */
export function TextField({ label, name, error, hint, value, onChange, id, className, ...rest }: TextFieldProps) {
  const generated = useId()
  const inputId = id ?? `${generated}-${name}`
  const hintId = `${inputId}-hint`
  const errorId = `${inputId}-error`
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input
        {...rest}
        id={inputId}
        name={name}
        value={value}
        onChange={(event: ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(hintId, errorId, hint, error)}
      />
      <FieldMessages hintId={hintId} errorId={errorId} hint={hint} error={error} />
    </div>
  )
}

type SelectFieldProps = BaseProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'onChange' | 'value'> & {
    value: string
    onChange: (value: string) => void
    options: Array<{ value: string; label: string }>
  }

export function SelectField({ label, name, error, hint, value, onChange, options, id, className, ...rest }: SelectFieldProps) {
  const generated = useId()
  const inputId = id ?? `${generated}-${name}`
  const hintId = `${inputId}-hint`
  const errorId = `${inputId}-error`
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <select
        {...rest}
        id={inputId}
        name={name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(hintId, errorId, hint, error)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldMessages hintId={hintId} errorId={errorId} hint={hint} error={error} />
    </div>
  )
}

type CheckboxFieldProps = BaseProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'onChange' | 'checked' | 'type'> & {
    checked: boolean
    onChange: (checked: boolean) => void
  }

export function CheckboxField({ label, name, error, hint, checked, onChange, id, className, ...rest }: CheckboxFieldProps) {
  const generated = useId()
  const inputId = id ?? `${generated}-${name}`
  const hintId = `${inputId}-hint`
  const errorId = `${inputId}-error`
  return (
    <div className={`field field--checkbox${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <div className="checkbox-row">
        <input
          {...rest}
          type="checkbox"
          id={inputId}
          name={name}
          checked={checked}
          onChange={(event) => onChange(event.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(hintId, errorId, hint, error)}
        />
        <label htmlFor={inputId}>{label}</label>
      </div>
      <FieldMessages hintId={hintId} errorId={errorId} hint={hint} error={error} />
    </div>
  )
}
