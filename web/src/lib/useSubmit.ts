import { useCallback, useEffect, useRef, useState, type FormEvent, type RefObject } from 'react'
import { ApiError, errorMessage, type FieldErrors } from './api.ts'

export interface SubmitState {
  busy: boolean
  /** Message for the form-level alert (shown when no field claims the error). */
  formError: string | undefined
  fieldErrors: FieldErrors
  /** Use as the form's onSubmit. */
  handleSubmit: (event?: FormEvent) => void
  clearErrors: () => void
  setFieldErrors: (errors: FieldErrors) => void
}

/**
 * Runs `action` on submit with busy and error state. Errors with details land next to
 * their fields; others in the form alert. After a failed submit the first invalid field
 * (or the alert) gets focus, so keyboard and screen-reader users land on the problem.
 */
export function useSubmit(formRef: RefObject<HTMLFormElement | null>, action: () => Promise<void>, options: { knownFields?: string[] } = {}): SubmitState {
  const [busy, setBusy] = useState(false)
  const [formError, setFormError] = useState<string | undefined>(undefined)
  const [fieldErrors, setFieldErrorsState] = useState<FieldErrors>({})
  const [attempt, setAttempt] = useState(0)
  const actionRef = useRef(action)
  actionRef.current = action
  const knownFields = options.knownFields

  useEffect(() => {
    if (attempt === 0) {
      return
    }
    const form = formRef.current
    if (!form) {
      return
    }
    const target = form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('[role="alert"]')
    target?.focus()
  }, [attempt, formRef])

  const setFieldErrors = useCallback((errors: FieldErrors) => {
    setFieldErrorsState(errors)
    setFormError(undefined)
    if (Object.keys(errors).length > 0) {
      setAttempt((value) => value + 1)
    }
  }, [])

  const handleSubmit = useCallback(
    (event?: FormEvent) => {
      event?.preventDefault()
      if (busy) {
        return
      }
      setBusy(true)
      setFormError(undefined)
      setFieldErrorsState({})
      actionRef
        .current()
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.hasFieldErrors) {
            const form = formRef.current
            const shown: FieldErrors = {}
            let unclaimed = false
            for (const [field, message] of Object.entries(error.fieldErrors)) {
              const rendered = (knownFields ?? []).includes(field) || (form?.elements.namedItem(field) ?? null) !== null
              if (rendered) {
                shown[field] = message
              } else {
                unclaimed = true
              }
            }
            setFieldErrorsState(shown)
            // A detail for a field this form doesn't render (a link's token, say) would otherwise
            // vanish; the server's message names the problem.
            if (unclaimed) {
              setFormError(error.message)
            }
          } else {
            setFormError(errorMessage(error))
          }
          setAttempt((value) => value + 1)
        })
        .finally(() => setBusy(false))
    },
    [busy, formRef, knownFields],
  )

  const clearErrors = useCallback(() => {
    setFormError(undefined)
    setFieldErrorsState({})
  }, [])

  return { busy, formError, fieldErrors, handleSubmit, clearErrors, setFieldErrors }
}
