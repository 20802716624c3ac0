import { useRef, useState } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { teamsApi, type Team } from '../api.ts'

export function CreateTeamForm({ orgId, onCreated }: { orgId: string; onCreated: (team: Team) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['name', name.trim() !== '', 'Enter a team name']])
    const team = await teamsApi.create(orgId, { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) })
    setName('')
    setDescription('')
    onCreated(team)
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Create a team">
      <div className="form-inline">
        <TextField label="Team name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" />
        <TextField label="Description (optional)" name="description" value={description} onChange={setDescription} error={fieldErrors.description} autoComplete="off" className="grow" />
        <FormActions inline busy={busy} busyLabel="Creating…" submitLabel="Create team" />
      </div>
    </Form>
  )
}
