import { useRef, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form } from '../../components/Form.tsx'
import { NewPasswordField } from '../../components/NewPasswordField.tsx'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check, newPasswordRule } from '../../lib/validate.ts'
import { authApi } from './api.ts'
import { AuthLayout } from './components/AuthLayout.tsx'

export function PageResetPassword() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([
      newPasswordRule('password', password),
      ['confirm', confirm === password, 'The two passwords do not match'],
    ])
    await authApi.resetPassword(token, password)
    navigate('/login?reset=1', { replace: true })
  })

  if (token === '') {
    return (
      <AuthLayout title="Reset your password">
        <Alert tone="error" title="This link is incomplete">
          <p>
            The reset link has no token. Open the link from the email again, or <Link to="/forgot-password">request a new link</Link>.
          </p>
        </Alert>
      </AuthLayout>
    )
  }

  return (
    <AuthLayout title="Choose a new password" description="Signing in with the new password ends your other sessions.">
      <Form
        ref={formRef}
        onSubmit={handleSubmit}
        error={
          formError ? (
            <>
              {formError} <Link to="/forgot-password">Request a new link</Link>
            </>
          ) : undefined
        }
      >
        <NewPasswordField label="New password" value={password} onChange={setPassword} error={fieldErrors.password} autoFocus />
        <TextField label="Repeat the new password" name="confirm" type="password" value={confirm} onChange={setConfirm} error={fieldErrors.confirm} autoComplete="new-password" />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…" className="btn--block">
          Set new password
        </Button>
      </Form>
    </AuthLayout>
  )
}
