import { useRef, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { TextField } from '../../components/Field.tsx'
import { withQuery } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check, looksLikeEmail, MIN_PASSWORD_LENGTH, PASSWORD_FLOOR } from '../../lib/validate.ts'
import { authApi } from './api.ts'
import { AuthLayout } from './components/AuthLayout.tsx'
import { safeNext } from './nextPath.ts'

/**
 * Self-registration, or the second half of an invitation link (?invitation=…&email=…):
 * registering with the invited address joins the organization at once.
 */
export function PageRegister() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const invitationToken = params.get('invitation') ?? undefined
  const invitedEmail = params.get('email') ?? ''
  const next = safeNext(params.get('next'), '')
  // Only to name the organization in the heading; an invalid token is reported by the server on submit.
  const invitation = useApi<{ organizationName: string }>(invitationToken ? `/invitations/${encodeURIComponent(invitationToken)}` : null)
  const organizationName = invitation.data?.organizationName
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [email, setEmail] = useState(invitedEmail)
  const [password, setPassword] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([
      ['name', name.trim() !== '', 'Enter your name'],
      ['email', looksLikeEmail(email), 'Enter an email address like you@example.com'],
      ['password', password.length >= PASSWORD_FLOOR, `Use at least ${PASSWORD_FLOOR} characters`],
    ])
    await authApi.register({ name: name.trim(), email: email.trim(), password, ...(invitationToken ? { invitationToken } : {}) })
    // The server answers the same whether or not the address already had an account.
    navigate(withQuery('/login', { registered: 1, email: email.trim(), next: next || undefined }), { replace: true })
  })

  return (
    <AuthLayout
      title={invitationToken ? (organizationName ? `Create your account to join ${organizationName}` : 'Create your account to join') : 'Create your account'}
      description={
        invitationToken
          ? `You were invited to ${organizationName ?? 'an organization'} on Tessera. Create an account with the invited address to join it.`
          : 'Sign up to create organizations, dashboards and teams.'
      }
      footer={
        <p>
          Already have an account? <Link to={withQuery('/login', { email: email.trim() || undefined, next: next || undefined })}>Sign in</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={handleSubmit} noValidate className="form">
        {formError ? <Alert>{formError}</Alert> : null}
        <TextField label="Your name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="name" autoFocus />
        <TextField
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          error={fieldErrors.email}
          autoComplete="email"
          hint={invitationToken && invitedEmail ? 'Use the invited address to join the organization right away.' : undefined}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={fieldErrors.password}
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating account…" className="btn--block">
          Create account
        </Button>
      </form>
    </AuthLayout>
  )
}
