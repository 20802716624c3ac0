import { useId, type ChangeEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'

import { capitalize } from '../lib/format.ts'

interface BaseProps {
  label: string
  name: string
  error?: string | undefined
  hint?: ReactNode
}

/**
 * The ids and ARIA wiring every field shares: the control is named by its label and described
 * by its hint and error, which render under it.
 */
function useField({ id, name, hint, error, className, modifier }: Pick<BaseProps, 'name' | 'hint' | 'error'> & { id: string | undefined; className: string | undefined; modifier?: string }) {
  const generated = useId()
  const inputId = id ?? `${generated}-${name}`
  const hintId = `${inputId}-hint`
  const errorId = `${inputId}-error`
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean)
  return {
    wrapperClassName: `field${modifier ? ` ${modifier}` : ''}${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`,
    control: {
      id: inputId,
      name,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy.length > 0 ? describedBy.join(' ') : undefined,
    },
    messages: (
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
    ),
  }
}

export type TextFieldProps = BaseProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'onChange' | 'value'> & {
    value: string
    onChange: (value: string) => void
  }

/** A labelled input; the error sits under it and is announced through aria-describedby. */
export function TextField({ label, name, error, hint, value, onChange, id, className, ...rest }: TextFieldProps) {
  const field = useField({ id, name, hint, error, className })
  return (
    <div className={field.wrapperClassName}>
      <label htmlFor={field.control.id}>{label}</label>
      <input {...rest} {...field.control} value={value} onChange={(event: ChangeEvent<HTMLInputElement>) => onChange(event.target.value)} />
      {field.messages}
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
  const field = useField({ id, name, hint, error, className })
  return (
    <div className={field.wrapperClassName}>
      <label htmlFor={field.control.id}>{label}</label>
      <select {...rest} {...field.control} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {field.messages}
    </div>
  )
}

type CheckboxFieldProps = BaseProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'onChange' | 'checked' | 'type'> & {
    checked: boolean
    onChange: (checked: boolean) => void
  }

export function CheckboxField({ label, name, error, hint, checked, onChange, id, className, ...rest }: CheckboxFieldProps) {
  const field = useField({ id, name, hint, error, className, modifier: 'field--checkbox' })
  return (
    <div className={field.wrapperClassName}>
      <div className="checkbox-row">
        <input {...rest} type="checkbox" {...field.control} checked={checked} onChange={(event) => onChange(event.target.checked)} />
        <label htmlFor={field.control.id}>{label}</label>
      </div>
      {field.messages}
    </div>
  )
}
