import { useRef, useState } from 'react'
import { Link } from 'react-router-dom'
import { Alert } from '../../../components/Alert.tsx'
import { SelectField, TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check, looksLikeEmail } from '../../../lib/validate.ts'
import type { OrgRole } from '../../auth/types.ts'
import { orgApi, ROLE_OPTIONS, type AddMemberResult } from '../api.ts'

/**
 * Adds an existing account directly, or emails an invitation link to an unknown address;
 * the server decides, and the confirmation says which happened.
 */
export function InviteMemberForm({ orgId, myRole, isInstanceAdmin, onDone }: { orgId: string; myRole: OrgRole; isInstanceAdmin: boolean; onDone: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<OrgRole>('member')
  const [result, setResult] = useState<AddMemberResult | undefined>(undefined)
  const roles = ROLE_OPTIONS.filter((option) => option.value !== 'owner' || myRole === 'owner')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setResult(undefined)
    check([['email', looksLikeEmail(email), 'Enter an email address like colleague@example.com']])
    const outcome = await orgApi.addMember(orgId, { email: email.trim(), role })
    setResult(outcome)
    setEmail('')
    onDone()
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Invite a member">
      {result?.status === 'added' ? (
        <Alert tone="success">
          {result.member.name} ({result.member.email}) already had an account and was added as {result.member.role}.
        </Alert>
      ) : null}
      {result?.status === 'invited' ? (
        <Alert tone="success" title="Invitation sent">
          <p>
            {result.invitation.email} has no account yet, so we emailed an invitation link (valid until {new Date(result.invitation.expiresAt).toLocaleDateString()}). It is listed under
            pending invitations below.
          </p>
          {isInstanceAdmin ? (
            <p className="muted">
              Without SMTP configured, the email waits in <Link to="/admin/mail">Admin → Mail outbox</Link>, where you can copy the link.
            </p>
          ) : null}
        </Alert>
      ) : null}
      <div className="form-inline">
        <TextField label="Email address" name="email" type="email" value={email} onChange={setEmail} error={fieldErrors.email} autoComplete="off" className="grow" />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(value) => setRole(value as OrgRole)}
          error={fieldErrors.role}
          options={roles.map((option) => ({ value: option.value, label: `${option.label} — ${option.description}` }))}
        />
        <FormActions inline busy={busy} busyLabel="Inviting…" submitLabel="Invite" />
      </div>
    </Form>
  )
}
