import { useRef, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form } from '../../components/Form.tsx'
import { withQuery } from '../../lib/api.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check, looksLikeEmail } from '../../lib/validate.ts'
import { authApi } from './api.ts'
import { useAuth } from './AuthContext.ts'
import { AuthLayout } from './components/AuthLayout.tsx'
import { safeNext } from './nextPath.ts'

/** Email + password, then (when 2FA is on) the authenticator or backup code. */
export function PageSignIn() {
  const auth = useAuth()
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const mfaStep = auth.status === 'mfa'

  const notice = params.get('registered')
    ? 'Your account is ready. Sign in to continue.'
    : params.get('reset')
      ? 'Your password was changed. Sign in with the new one.'
      : params.get('signedOut')
        ? 'You have been signed out.'
        : undefined

  return (
    <AuthLayout
      title={mfaStep ? 'Two-factor authentication' : 'Sign in to Tessera'}
      description={mfaStep ? 'Enter the 6-digit code from your authenticator app, or one of your backup codes.' : undefined}
      footer={
        mfaStep ? null : (
          <p>
            New here? <Link to={withQuery('/register', { next: params.get('next'), email: params.get('email') })}>Create an account</Link>
          </p>
        )
      }
    >
      {notice && !mfaStep ? <Alert tone="success">{notice}</Alert> : null}
      {mfaStep ? <MfaForm next={next} /> : <PasswordForm next={next} initialEmail={params.get('email') ?? ''} />}
    </AuthLayout>
  )
}

function PasswordForm({ next, initialEmail }: { next: string; initialEmail: string }) {
  const auth = useAuth()
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [email, setEmail] = useState(initialEmail)
  const [password, setPassword] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([
      ['email', looksLikeEmail(email), 'Enter the email address you registered with'],
      ['password', password !== '', 'Enter your password'],
    ])
    const response = await authApi.login({ email: email.trim(), password })
    const outcome = await auth.completeSignIn(response)
    if (outcome === 'signedIn') {
      navigate(next, { replace: true })
    }
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      <TextField label="Email" name="email" type="email" value={email} onChange={setEmail} error={fieldErrors.email} autoComplete="username" autoFocus={initialEmail === ''} />
      <TextField
        label="Password"
        name="password"
        type="password"
        value={password}
        onChange={setPassword}
        error={fieldErrors.password}
        autoComplete="current-password"
        autoFocus={initialEmail !== ''}
      />
      <div className="form-row-end">
        <Link to={withQuery('/forgot-password', { email: email.trim() || undefined })}>Forgot your password?</Link>
      </div>
      <Button type="submit" variant="primary" busy={busy} busyLabel="Signing in…" className="btn--block">
        Sign in
      </Button>
    </Form>
  )
}

function MfaForm({ next }: { next: string }) {
  const auth = useAuth()
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [code, setCode] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['code', code.trim() !== '', 'Enter the code from your authenticator app or a backup code']])
    const response = await authApi.loginMfa(code.replace(/\s+/g, ''))
    await auth.completeSignIn(response)
    navigate(next, { replace: true })
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      <TextField
        label="Authentication code"
        name="code"
        value={code}
        onChange={setCode}
        error={fieldErrors.code}
        autoComplete="one-time-code"
        inputMode="text"
        autoFocus
        className="mono-input"
        hint="Lost your device? A backup code (like 1a2b-3c4d) works once in place of the code."
      />
      <Button type="submit" variant="primary" busy={busy} busyLabel="Verifying…" className="btn--block">
        Verify and sign in
      </Button>
      <Button variant="link" onClick={() => void auth.signOut()}>
        Cancel and use a different account
      </Button>
    </Form>
  )
}
