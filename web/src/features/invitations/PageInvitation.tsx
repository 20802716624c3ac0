import { useState } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Spinner } from '../../components/Loading.tsx'
import { ApiError, errorMessage, withQuery } from '../../lib/api.ts'
import { capitalize, formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { AuthLayout } from '../auth/components/AuthLayout.tsx'
import { rememberOrg } from '../organizations/useCurrentOrg.ts'
import { invitationsApi, type PublicInvitation } from './api.ts'

/**
 * Landing page of an invitation link (/invite?token=…). It shows what the invitation is
 * for; a signed-in invitee accepts it here, anyone else signs in or registers with the
 * invited address (registration with the token joins at once).
 */
export function PageInvitation() {
  const [params] = useSearchParams()
  const { token: pathToken } = useParams()
  const token = params.get('token') ?? pathToken ?? ''
  const state = useApi<PublicInvitation>(token ? `/invitations/${encodeURIComponent(token)}` : null)

  if (token === '') {
    return (
      <AuthLayout title="Invitation">
        <Alert title="This invitation link is incomplete">
          <p>Open the link from the invitation email again; it ends with a long token.</p>
        </Alert>
      </AuthLayout>
    )
  }
  if (state.data === undefined) {
    if (state.error !== undefined) {
      return <InvalidInvitation error={state.error} onRetry={state.reload} />
    }
    return (
      <AuthLayout title="Invitation">
        <Spinner label="Checking your invitation…" />
      </AuthLayout>
    )
  }
  return <InvitationDetails token={token} invitation={state.data} />
}

function InvalidInvitation({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const auth = useAuth()
  const gone = error instanceof ApiError && error.status === 404
  return (
    <AuthLayout title="Invitation">
      <Alert title={gone ? 'This invitation is no longer valid' : 'We could not check this invitation'}>
        <p>{gone ? 'It has expired, was revoked, or was already accepted. Ask the person who invited you to send a new invitation.' : errorMessage(error)}</p>
        {gone ? null : (
          <Button variant="secondary" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Alert>
      <p className="auth-links">{auth.status === 'signedIn' ? <Link to="/">Go to your organizations</Link> : <Link to="/login">Sign in</Link>}</p>
    </AuthLayout>
  )
}

function InvitationDetails({ token, invitation }: { token: string; invitation: PublicInvitation }) {
  const auth = useAuth()
  const navigate = useNavigate()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const here = withQuery('/invite', { token })
  const signedIn = auth.status === 'signedIn' && auth.user !== undefined
  const sameEmail = signedIn && auth.user?.email.toLowerCase() === invitation.email.toLowerCase()

  const handleAccept = () => {
    setBusy(true)
    setError(undefined)
    invitationsApi
      .accept(token)
      .then(async ({ organizationId }) => {
        rememberOrg(organizationId)
        await auth.refresh()
        navigate(`/orgs/${organizationId}/members`, { replace: true })
      })
      .catch((caught: unknown) => {
        setError(errorMessage(caught))
        setBusy(false)
      })
  }

  return (
    <AuthLayout title={`Join ${invitation.organizationName}`}>
      <div className="invitation-summary">
        <p>
          You were invited to join <strong>{invitation.organizationName}</strong> on Tessera as <strong>{capitalize(invitation.role)}</strong>.
        </p>
        <dl className="details details--stacked">
          <dt>Invited address</dt>
          <dd>{invitation.email}</dd>
          <dt>Valid until</dt>
          <dd>{formatDate(invitation.expiresAt)}</dd>
        </dl>
      </div>
      {error ? <Alert>{error}</Alert> : null}
      {signedIn && sameEmail ? (
        <Button variant="primary" className="btn--block" busy={busy} busyLabel="Joining…" onClick={handleAccept}>
          Accept invitation
        </Button>
      ) : null}
      {signedIn && !sameEmail ? (
        <Alert tone="warning" title="You are signed in with a different address">
          <p>
            This invitation is for {invitation.email}, but you are signed in as {auth.user?.email}. Sign out, then sign in or register as {invitation.email}.
          </p>
          <Button variant="secondary" onClick={() => void auth.signOut()}>
            Sign out and continue
          </Button>
        </Alert>
      ) : null}
      {!signedIn ? (
        <div className="stack">
          <Link className="btn btn--primary btn--block" to={withQuery('/register', { invitation: token, email: invitation.email })}>
            Create an account and join
          </Link>
          <Link className="btn btn--secondary btn--block" to={withQuery('/login', { email: invitation.email, next: here })}>
            I already have an account — sign in
          </Link>
        </div>
      ) : null}
    </AuthLayout>
  )
}
