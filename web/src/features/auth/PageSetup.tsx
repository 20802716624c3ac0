import { useRef, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form } from '../../components/Form.tsx'
import { Loader } from '../../components/Loading.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check } from '../../lib/validate.ts'
import { authApi, type SetupState } from './api.ts'
import { useAuth } from './AuthContext.ts'
import { AuthLayout } from './components/AuthLayout.tsx'
import { NewAccountFields, newAccountRules, trimmedAccount, type NewAccount } from './components/NewAccountFields.tsx'

/** First run: creates the instance administrator, who is signed in straight away. */
export function PageSetup() {
  const state = useApi<SetupState>('/setup')
  return (
    <AuthLayout title="Set up Tessera" description="Create the administrator account for this instance. You can invite everyone else afterwards.">
      <Loader state={state} label="Checking this instance…">
        {(setup) =>
          setup.required ? (
            <SetupForm tokenRequired={setup.tokenRequired} />
          ) : (
            <Alert tone="info" title="This instance is already set up">
              <p>
                An administrator exists. <Link to="/login">Sign in</Link> or <Link to="/register">create an account</Link>.
              </p>
            </Alert>
          )
        }
      </Loader>
    </AuthLayout>
  )
}

function SetupForm({ tokenRequired }: { tokenRequired: boolean }) {
  const auth = useAuth()
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [account, setAccount] = useState<NewAccount>({ name: '', email: '', password: '' })
  const [setupToken, setSetupToken] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([...newAccountRules(account), ['setupToken', !tokenRequired || setupToken.trim() !== '', 'Paste the setup token from the server log']])
    const response = await authApi.setup({ ...trimmedAccount(account), ...(tokenRequired ? { setupToken: setupToken.trim() } : {}) })
    await auth.completeSignIn(response)
    navigate('/', { replace: true })
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError}>
      {tokenRequired ? (
        <TextField
          label="Setup token"
          name="setupToken"
          value={setupToken}
          onChange={setSetupToken}
          error={fieldErrors.setupToken}
          autoComplete="off"
          className="mono-input"
          hint="Printed once in the server log when Tessera first started (or set as TESSERA_SETUP_TOKEN). It proves you run this server."
        />
      ) : null}
      <NewAccountFields account={account} onChange={setAccount} fieldErrors={fieldErrors} />
      <Button type="submit" variant="primary" busy={busy} busyLabel="Creating administrator…" className="btn--block">
        Create administrator
      </Button>
    </Form>
  )
}
