import { useId, useState } from 'react'
import { errorMessage } from '../../../lib/api.ts'
import type { OrgRole } from '../../auth/types.ts'
import { orgApi, ROLE_OPTIONS, type Member } from '../api.ts'

/** Saves on change; a refusal (e.g. demoting the last owner) shows under the select and the old role comes back. */
export function MemberRoleSelect({ orgId, member, myRole, onChanged }: { orgId: string; member: Member; myRole: OrgRole; onChanged: () => void }) {
  const id = useId()
  const [role, setRole] = useState<OrgRole>(member.role)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const [saved, setSaved] = useState(false)
  const options = ROLE_OPTIONS.filter((option) => option.value !== 'owner' || myRole === 'owner' || member.role === 'owner')
  const locked = myRole !== 'owner' && member.role === 'owner'

  const handleChange = (next: OrgRole) => {
    const previous = role
    setRole(next)
    setBusy(true)
    setError(undefined)
    setSaved(false)
    orgApi
      .updateMember(orgId, member.userId, { role: next })
      .then(() => {
        setSaved(true)
        onChanged()
      })
      .catch((caught: unknown) => {
        setRole(previous)
        setError(errorMessage(caught))
      })
      .finally(() => setBusy(false))
  }

  return (
    <div className="inline-field">
      <label htmlFor={id} className="visually-hidden">
        Role of {member.name}
      </label>
      <select
        id={id}
        value={role}
        disabled={busy || locked}
        onChange={(event) => handleChange(event.target.value as OrgRole)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        title={locked ? "Only owners can change an owner's role" : undefined}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
      {saved && !error ? <span className="visually-hidden" role="status">Role saved</span> : null}
    </div>
  )
}
