import { useEffect, useRef, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Spinner } from '../../components/Loading.tsx'
import { errorMessage } from '../../lib/api.ts'
import { authApi } from './api.ts'
import { useAuth } from './AuthContext.ts'
import { AuthLayout } from './components/AuthLayout.tsx'

export function PageVerifyEmail() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const auth = useAuth()
  const [state, setState] = useState<{ kind: 'working' } | { kind: 'done' } | { kind: 'failed'; message: string }>(
    token === '' ? { kind: 'failed', message: 'The link has no token. Open the link from the email again.' } : { kind: 'working' },
  )
  // Tokens are single-use: React's development double-effect must not spend it twice.
  const started = useRef(false)

  useEffect(() => {
    if (token === '' || started.current) {
      return
    }
    started.current = true
    authApi
      .verifyEmail(token)
      .then(async () => {
        setState({ kind: 'done' })
        if (auth.status === 'signedIn') {
          await auth.refresh()
        }
      })
      .catch((error: unknown) => setState({ kind: 'failed', message: errorMessage(error) }))
  }, [token, auth])

  const continueLink = auth.status === 'signedIn' ? <Link to="/">Continue to Tessera</Link> : <Link to="/login">Sign in</Link>
  return (
    <AuthLayout title="Verify your email">
      {state.kind === 'working' ? <Spinner label="Verifying your email address…" /> : null}
      {state.kind === 'done' ? (
        <Alert tone="success" title="Email verified">
          <p>Thanks, your address is confirmed. {continueLink}</p>
        </Alert>
      ) : null}
      {state.kind === 'failed' ? (
        <Alert tone="error" title="We could not verify this link">
          <p>{state.message}</p>
          <p>Links expire after 24 hours and work once. {auth.status === 'signedIn' ? <>You can ask for a new one on your <Link to="/account">account page</Link>.</> : continueLink}</p>
        </Alert>
      ) : null}
    </AuthLayout>
  )
}
