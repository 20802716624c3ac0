import { useRef, useState } from 'react'
import { Form, FormActions } from '../../../components/Form.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { errorsApi } from './api.ts'

/** Resolves an error group with notes saying what fixed it (POST /admin/errors/{id}/resolve). */
export function ResolveErrorForm({ errorId, onResolved }: { errorId: string; onResolved: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [notes, setNotes] = useState('')
  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['notes', notes.trim() !== '', 'Say what fixed the error, or why it needs no fix']])
    await errorsApi.resolve(errorId, notes.trim())
    onResolved()
  })
  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Resolve this error">
      <TextAreaField label="Resolution notes" name="notes" value={notes} onChange={setNotes} error={fieldErrors.notes} rows={3} maxLength={2000} hint="For example the fix, the release that carries it, or why the error is expected." />
      <FormActions busy={busy} busyLabel="Resolving…" submitLabel="Resolve" />
    </Form>
  )
}
