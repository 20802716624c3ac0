import { useRef, useState } from 'react'
import { Link } from 'react-router-dom'
import { SelectField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import type { Member } from '../../organizations/api.ts'
import { teamsApi, type TeamRole } from '../api.ts'

/** Only members of the organization can join its teams, so the choice is a select of them. */
export function AddTeamMemberForm({ orgId, teamId, candidates, onAdded }: { orgId: string; teamId: string; candidates: Member[]; onAdded: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [userId, setUserId] = useState('')
  const [role, setRole] = useState<TeamRole>('member')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['userId', userId !== '', 'Choose a member of the organization']])
    await teamsApi.addMember(orgId, teamId, { userId, role })
    setUserId('')
    onAdded()
  })

  if (candidates.length === 0) {
    return (
      <p className="muted">
        Everyone in the organization is already in this team. <Link to={`/orgs/${orgId}/members`}>Invite more people</Link> to the organization first.
      </p>
    )
  }
  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Add a team member">
      <div className="form-inline">
        <SelectField
          label="Member"
          name="userId"
          value={userId}
          onChange={setUserId}
          error={fieldErrors.userId}
          className="grow"
          options={[{ value: '', label: 'Choose a member…' }, ...candidates.map((member) => ({ value: member.userId, label: `${member.name} (${member.email})` }))]}
        />
        <SelectField
          label="Team role"
          name="role"
          value={role}
          onChange={(value) => setRole(value as TeamRole)}
          error={fieldErrors.role}
          options={[
            { value: 'member', label: 'Member' },
            { value: 'maintainer', label: 'Maintainer' },
          ]}
        />
        <FormActions inline busy={busy} busyLabel="Adding…" submitLabel="Add to team" />
      </div>
    </Form>
  )
}
