import type { ComponentPropsWithRef, ReactNode } from 'react'
import { Alert } from './Alert.tsx'
import { Button } from './Button.tsx'

/**
 * A form checked in code rather than by the browser (`noValidate`), with a failure no field
 * claims in an alert at the top: the alert useSubmit focuses when no field is invalid.
 */
export function Form({ error, className, children, ...rest }: ComponentPropsWithRef<'form'> & { error?: ReactNode }) {
  return (
    <form {...rest} noValidate className={`form${className ? ` ${className}` : ''}`}>
      {error ? <Alert>{error}</Alert> : null}
      {children}
    </form>
  )
}

/**
 * The form's submit button, then any other buttons (`children`): in a row under a stacked
 * form, or `inline` at the end of a one-line form (`.form-inline`), level with its inputs.
 */
export function FormActions({
  busy,
  busyLabel,
  submitLabel,
  variant = 'primary',
  inline = false,
  children,
}: {
  busy: boolean
  busyLabel: string
  submitLabel: string
  variant?: 'primary' | 'secondary' | 'danger'
  inline?: boolean
  children?: ReactNode
}) {
  return (
    <div className={inline ? 'form-inline-action' : 'form-actions'}>
      <Button type="submit" variant={variant} busy={busy} busyLabel={busyLabel}>
        {submitLabel}
      </Button>
      {children}
    </div>
  )
}
