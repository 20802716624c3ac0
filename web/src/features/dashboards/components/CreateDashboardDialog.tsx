import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { TextField } from '../../../components/Field.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { dashboardsApi, type Dashboard } from '../api.ts'
import { Dialog } from './Dialog.tsx'

export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''))]
}

/** Name, description and tags; on success the caller opens the new dashboard in edit mode. */
export function CreateDashboardDialog({ orgId, onClose, onCreated }: { orgId: string; onClose: () => void; onCreated: (dashboard: Dashboard) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [tags, setTags] = useState('')
  const submit = useSubmit(formRef, async () => {
    const created = await dashboardsApi.create(orgId, { name: name.trim(), description: description.trim() || null, tags: parseTags(tags) })
    onCreated(created)
  }, { knownFields: ['name', 'description', 'tags'] })
  return (
    <Dialog title="New dashboard" onClose={onClose}>
      <form ref={formRef} className="form" onSubmit={submit.handleSubmit} noValidate>
        {submit.formError ? <Alert>{submit.formError}</Alert> : null}
        <TextField label="Name" name="name" value={name} onChange={setName} required maxLength={255} error={submit.fieldErrors.name} autoFocus />
        <TextField label="Description" name="description" value={description} onChange={setDescription} error={submit.fieldErrors.description} hint="Optional: what this dashboard answers." />
        <TextField label="Tags" name="tags" value={tags} onChange={setTags} error={submit.fieldErrors.tags} hint="Separated by commas, e.g. sales, weekly" />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={submit.busy} disabled={name.trim() === ''}>
            Create and edit
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
