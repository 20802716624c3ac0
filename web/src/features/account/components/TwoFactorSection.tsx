import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { Section } from '../../../components/PageHeader.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { useAuth } from '../../auth/AuthContext.ts'
import type { User } from '../../auth/types.ts'
import { accountApi, type TwoFactorSetup } from '../api.ts'
import { BackupCodes } from './BackupCodes.tsx'

type Stage = { kind: 'idle' } | { kind: 'enrolling'; setup: TwoFactorSetup } | { kind: 'codes'; codes: string[] }

export function TwoFactorSection({ user }: { user: User }) {
  const auth = useAuth()
  const [stage, setStage] = useState<Stage>({ kind: 'idle' })
  const [starting, setStarting] = useState(false)
  const [startError, setStartError] = useState<string | undefined>(undefined)

  const handleStart = () => {
    setStarting(true)
    setStartError(undefined)
    accountApi
      .setupTwoFactor()
      .then((setup) => setStage({ kind: 'enrolling', setup }))
      .catch((error: unknown) => setStartError(errorMessage(error)))
      .finally(() => setStarting(false))
  }

  const finish = () => {
    setStage({ kind: 'idle' })
    void auth.refresh()
  }

  return (
    <Section
      title="Two-factor authentication"
      description="Sign-in asks for a code from an authenticator app (1Password, Google Authenticator, Aegis…) after your password."
      id="two-factor"
      actions={user.twoFactorEnabled ? <span className="badge badge--success">On</span> : <span className="badge badge--muted">Off</span>}
    >
      {stage.kind === 'codes' ? <BackupCodes codes={stage.codes} onDone={finish} /> : null}
      {stage.kind === 'enrolling' ? (
        <Enrolment setup={stage.setup} onEnabled={(codes) => setStage({ kind: 'codes', codes })} onCancel={() => setStage({ kind: 'idle' })} />
      ) : null}
      {stage.kind === 'idle' && !user.twoFactorEnabled ? (
        <div className="section-block">
          {startError ? <Alert>{startError}</Alert> : null}
          <Button variant="primary" busy={starting} busyLabel="Preparing…" onClick={handleStart}>
            Set up two-factor authentication
          </Button>
        </div>
      ) : null}
      {stage.kind === 'idle' && user.twoFactorEnabled ? (
        <div className="two-column">
          <RegenerateCodes onCodes={(codes) => setStage({ kind: 'codes', codes })} />
          <DisableForm onDisabled={() => void auth.refresh()} />
        </div>
      ) : null}
    </Section>
  )
}

function Enrolment({ setup, onEnabled, onCancel }: { setup: TwoFactorSetup; onEnabled: (codes: string[]) => void; onCancel: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [code, setCode] = useState('')
  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['code', /^\d{6}$/.test(code.replace(/\s+/g, '')), 'Enter the 6-digit code shown in your app']])
    const response = await accountApi.enableTwoFactor(code.replace(/\s+/g, ''))
    onEnabled(response.backupCodes)
  })
  return (
    <div className="enrolment">
      <ol className="steps">
        <li>
          <p>Scan this QR code with your authenticator app.</p>
          <img src={setup.qrCodeDataUrl} alt="QR code for adding Tessera to an authenticator app" width={200} height={200} className="qr" />
          <details>
            <summary>Can't scan it? Enter the key by hand</summary>
            <p className="mono secret-text">{setup.secret}</p>
          </details>
        </li>
        <li>
          <p>Enter the 6-digit code the app shows to confirm.</p>
          <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Confirm two-factor code">
            <TextField label="Code from the app" name="code" value={code} onChange={setCode} error={fieldErrors.code} inputMode="numeric" autoComplete="one-time-code" className="mono-input" autoFocus />
            <FormActions busy={busy} busyLabel="Verifying…" submitLabel="Turn on two-factor">
              <Button variant="ghost" onClick={onCancel}>
                Cancel
              </Button>
            </FormActions>
          </Form>
        </li>
      </ol>
    </div>
  )
}

function RegenerateCodes({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [code, setCode] = useState('')
  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([['code', code.trim() !== '', 'Enter a code from your authenticator app']])
    const response = await accountApi.regenerateBackupCodes(code.replace(/\s+/g, ''))
    setCode('')
    onCodes(response.backupCodes)
  })
  return (
    <form ref={formRef} onSubmit={handleSubmit} noValidate className="form subcard" aria-label="New backup codes">
      <h3>New backup codes</h3>
      <p className="muted">Replaces your backup codes; the old ones stop working.</p>
      {formError ? <Alert>{formError}</Alert> : null}
      <TextField label="Authenticator code" name="code" value={code} onChange={setCode} error={fieldErrors.code} autoComplete="one-time-code" className="mono-input" />
      <FormActions busy={busy} busyLabel="Generating…" submitLabel="Generate new backup codes" variant="secondary" />
    </form>
  )
}

function DisableForm({ onDisabled }: { onDisabled: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    check([
      ['password', password !== '', 'Enter your password'],
      ['code', code.trim() !== '', 'Enter an authenticator code or a backup code'],
    ])
    await accountApi.disableTwoFactor({ password, code: code.replace(/\s+/g, '') })
    onDisabled()
  })
  return (
    <form ref={formRef} onSubmit={handleSubmit} noValidate className="form subcard" aria-label="Turn off two-factor">
      <h3>Turn off two-factor</h3>
      <p className="muted">Your account will be protected by the password alone.</p>
      {formError ? <Alert>{formError}</Alert> : null}
      <TextField label="Password" name="password" type="password" value={password} onChange={setPassword} error={fieldErrors.password} autoComplete="current-password" />
      <TextField label="Authenticator or backup code" name="code" value={code} onChange={setCode} error={fieldErrors.code} autoComplete="one-time-code" className="mono-input" />
      <FormActions busy={busy} busyLabel="Turning off…" submitLabel="Turn off two-factor" variant="danger" />
    </form>
  )
}
