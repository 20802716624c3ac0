import { useRef, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form } from '../../components/Form.tsx'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check, looksLikeEmail } from '../../lib/validate.ts'
import { authApi } from './api.ts'
import { AuthLayout } from './components/AuthLayout.tsx'

export function PageForgotPassword() {
  const [params] = useSearchParams()
  const formRef = useRef<HTMLFormElement>(null)
  const [email, setEmail] = useState(params.get('email') ?? '')
  const [sentTo, setSentTo] = useState<string | undefined>(undefined)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['email', looksLikeEmail(email), 'Enter the email address of your account']])
    await authApi.forgotPassword(email.trim())
    setSentTo(email.trim())
  })

  return (
    <AuthLayout
      title="Reset your password"
      description="Enter your account's email address and we'll send you a link to choose a new password."
      footer={
        <p>
          Remembered it? <Link to="/login">Back to sign in</Link>
        </p>
      }
    >
      {sentTo ? (
        <Alert tone="success" title="Check your inbox">
          <p>If an account exists for {sentTo}, it will receive a link to reset the password. The link works once and expires soon.</p>
          <p className="muted">No email? On instances without mail delivery an administrator can read the message under Admin → Mail outbox.</p>
        </Alert>
      ) : (
        <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
          <TextField label="Email" name="email" type="email" value={email} onChange={setEmail} error={fieldErrors.email} autoComplete="email" autoFocus />
          <Button type="submit" variant="primary" busy={busy} busyLabel="Sending…" className="btn--block">
            Send reset link
          </Button>
        </Form>
      )}
    </AuthLayout>
  )
}
