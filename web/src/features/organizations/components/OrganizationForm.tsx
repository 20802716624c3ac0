import { useRef, useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { slugify } from '../../../lib/format.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { organizationFrom, orgApi, type Organization } from '../api.ts'

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/

/** Name + slug; the slug follows the name until the user edits it. */
export function OrganizationForm({ onCreated, onCancel }: { onCreated: (org: Organization) => Promise<void> | void; onCancel?: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [slug, setSlug] = useState('')
  const [slugEdited, setSlugEdited] = useState(false)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    const finalSlug = slug.trim()
    check([
      ['name', name.trim() !== '', 'Enter a name for the organization'],
      ['slug', finalSlug !== '', 'Enter a URL name (letters, digits and dashes)'],
      ['slug', SLUG_PATTERN.test(finalSlug), 'Use lowercase letters, digits and dashes, not starting or ending with a dash'],
    ])
    const created = organizationFrom(await orgApi.create({ name: name.trim(), slug: finalSlug }))
    await onCreated(created)
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      <TextField
        label="Organization name"
        name="name"
        value={name}
        onChange={(value) => {
          setName(value)
          if (!slugEdited) {
            setSlug(slugify(value))
          }
        }}
        error={fieldErrors.name}
        autoComplete="organization"
        autoFocus
        hint="Usually your company or team, e.g. “Acme Analytics”."
      />
      <TextField
        label="URL name (slug)"
        name="slug"
        value={slug}
        onChange={(value) => {
          setSlug(value)
          setSlugEdited(true)
        }}
        error={fieldErrors.slug}
        autoComplete="off"
        spellCheck={false}
        className="mono-input"
        hint="Unique on this instance. Lowercase letters, digits and dashes; filled in from the name."
      />
      <FormActions busy={busy} busyLabel="Creating…" submitLabel="Create organization">
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </FormActions>
    </Form>
  )
}
