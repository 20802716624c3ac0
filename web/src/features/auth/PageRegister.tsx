import { useRef, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { Form } from '../../components/Form.tsx'
import { withQuery } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check } from '../../lib/validate.ts'
import { authApi } from './api.ts'
import { AuthLayout } from './components/AuthLayout.tsx'
import { NewAccountFields, newAccountRules, trimmedAccount, type NewAccount } from './components/NewAccountFields.tsx'
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
  const [account, setAccount] = useState<NewAccount>({ name: '', email: invitedEmail, password: '' })
  const email = account.email.trim()

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check(newAccountRules(account))
    await authApi.register({ ...trimmedAccount(account), ...(invitationToken ? { invitationToken } : {}) })
    // The server answers the same whether or not the address already had an account.
    navigate(withQuery('/login', { registered: 1, email, next: next || undefined }), { replace: true })
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
          Already have an account? <Link to={withQuery('/login', { email: email || undefined, next: next || undefined })}>Sign in</Link>
        </p>
      }
    >
      <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
        <NewAccountFields
          account={account}
          onChange={setAccount}
          fieldErrors={fieldErrors}
          autoFocus
          emailHint={invitationToken && invitedEmail ? 'Use the invited address to join the organization right away.' : undefined}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating account…" className="btn--block">
          Create account
        </Button>
      </Form>
    </AuthLayout>
  )
}
