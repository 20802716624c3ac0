import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { NewPasswordField } from '../../../components/NewPasswordField.tsx'
import { Section } from '../../../components/PageHeader.tsx'
import { setCsrfToken } from '../../../lib/api.ts'
import { useApi } from '../../../lib/useApi.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check, MIN_PASSWORD_LENGTH, newPasswordRule } from '../../../lib/validate.ts'
import { accountApi } from '../api.ts'

export function PasswordSection({ onChanged }: { onChanged: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [currentPassword, setCurrentPassword] = useState('')
  const [newPassword, setNewPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [done, setDone] = useState(false)
  // Public settings carry the instance's configured minimum; the default until they arrive.
  const publicSettings = useApi<Record<string, unknown>>('/settings/public')
  const configured = publicSettings.data?.['auth.password_min_length']
  const minLength = typeof configured === 'number' ? configured : MIN_PASSWORD_LENGTH

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setDone(false)
    check([
      ['currentPassword', currentPassword !== '', 'Enter your current password'],
      newPasswordRule('newPassword', newPassword, minLength),
      ['newPassword', newPassword !== currentPassword, 'Choose a password different from the current one'],
      ['confirm', confirm === newPassword, 'The two new passwords do not match'],
    ])
    const response = await accountApi.changePassword({ currentPassword, newPassword })
    // The server rotated this session; the old CSRF token no longer matches.
    setCsrfToken(response.csrfToken)
    setCurrentPassword('')
    setNewPassword('')
    setConfirm('')
    setDone(true)
    onChanged()
  })

  return (
    <Section title="Password" description="Changing the password signs out all your other sessions." id="password">
      <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Change password">
        {done ? <Alert tone="success">Password changed. Your other sessions were signed out.</Alert> : null}
        {/* Lets password managers associate the change with the account. */}
        <input type="text" name="username" autoComplete="username" hidden readOnly />
        <TextField label="Current password" name="currentPassword" type="password" value={currentPassword} onChange={setCurrentPassword} error={fieldErrors.currentPassword} autoComplete="current-password" />
        <div className="form-grid">
          <NewPasswordField label="New password" name="newPassword" value={newPassword} onChange={setNewPassword} error={fieldErrors.newPassword} minimumLength={minLength} />
          <TextField label="Repeat new password" name="confirm" type="password" value={confirm} onChange={setConfirm} error={fieldErrors.confirm} autoComplete="new-password" />
        </div>
        <FormActions busy={busy} busyLabel="Changing…" submitLabel="Change password" />
      </Form>
    </Section>
  )
}
