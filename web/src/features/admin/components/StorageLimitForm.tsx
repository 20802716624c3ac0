import { useRef, useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { adminOrganizationsApi, type AdminOrganization } from '../api.ts'

/** Inline editor of one organization's storage limit; empty means unlimited. */
export function StorageLimitForm({ org, onSaved }: { org: AdminOrganization; onSaved: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [value, setValue] = useState(org.storageLimitGb === null ? '' : String(org.storageLimitGb))
  const inputId = `storage-limit-${org.id}`
  const submit = useSubmit(formRef, async () => {
    const trimmed = value.trim()
    if (trimmed !== '' && !/^\d+$/.test(trimmed)) {
      submit.setFieldErrors({ storageLimitGb: 'Enter a whole number of GiB, or leave empty for no limit' })
      return
    }
    await adminOrganizationsApi.update(org.id, { storageLimitGb: trimmed === '' ? null : Number(trimmed) })
    onSaved()
  })
  const error = submit.fieldErrors.storageLimitGb ?? submit.formError
  const unchanged = value.trim() === (org.storageLimitGb === null ? '' : String(org.storageLimitGb))
  return (
    <form ref={formRef} className="inline-field" onSubmit={submit.handleSubmit} aria-label={`Storage limit of ${org.name}`}>
      <label htmlFor={inputId} className="visually-hidden">
        Storage limit of {org.name} in GiB
      </label>
      <input
        id={inputId}
        name="storageLimitGb"
        inputMode="numeric"
        size={8}
        placeholder="Unlimited"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : undefined}
        onChange={(event) => setValue(event.target.value)}
      />
      <span className="muted small">GiB</span>
      <Button type="submit" variant="secondary" disabled={submit.busy || unchanged}>
        Save
      </Button>
      {error ? (
        <p id={`${inputId}-error`} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  )
}
