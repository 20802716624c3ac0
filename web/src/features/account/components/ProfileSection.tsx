import { useId, useMemo, useRef, useState } from 'react'
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
import { accountApi } from '../api.ts'

function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  } catch {
    return []
  }
}

export function ProfileSection({ user }: { user: User }) {
  const auth = useAuth()
  const formRef = useRef<HTMLFormElement>(null)
  const zonesId = useId()
  const zones = useMemo(timeZones, [])
  const [name, setName] = useState(user.name)
  const [timezone, setTimezone] = useState(user.timezone)
  const [locale, setLocale] = useState(user.locale)
  const [saved, setSaved] = useState(false)
  const [verification, setVerification] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined)
  const [sending, setSending] = useState(false)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setSaved(false)
    check([
      ['name', name.trim() !== '', 'Enter your name'],
      ['timezone', timezone.trim() !== '', 'Enter a time zone such as Europe/Berlin'],
    ])
    await accountApi.updateProfile({ name: name.trim(), timezone: timezone.trim(), locale: locale.trim() })
    setSaved(true)
    await auth.refresh()
  })

  const handleResend = () => {
    setSending(true)
    setVerification(undefined)
    accountApi
      .resendVerification()
      .then((response) => setVerification({ tone: 'success', text: response.message }))
      .catch((error: unknown) => setVerification({ tone: 'error', text: errorMessage(error) }))
      .finally(() => setSending(false))
  }

  return (
    <Section title="Profile" id="profile">
      <div className="section-block">
        <p className="label-like">Email</p>
        <p>
          {user.email}{' '}
          {user.emailVerified ? <span className="badge badge--success">Verified</span> : <span className="badge badge--warning">Not verified</span>}
        </p>
        {!user.emailVerified ? (
          <div className="inline-actions">
            <span className="muted">We sent a confirmation link when you registered.</span>
            <Button variant="secondary" busy={sending} busyLabel="Sending…" onClick={handleResend}>
              Send a new verification link
            </Button>
          </div>
        ) : null}
        {verification ? <Alert tone={verification.tone}>{verification.text}</Alert> : null}
      </div>
      <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Profile">
        {saved ? <Alert tone="success">Profile saved.</Alert> : null}
        <TextField label="Display name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="name" />
        <div className="form-grid">
          <TextField label="Time zone" name="timezone" value={timezone} onChange={setTimezone} error={fieldErrors.timezone} list={zonesId} autoComplete="off" hint="IANA name, e.g. Europe/Berlin." />
          <TextField label="Locale" name="locale" value={locale} onChange={setLocale} error={fieldErrors.locale} autoComplete="off" hint="e.g. en_US or de." />
        </div>
        <datalist id={zonesId}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save profile" />
      </Form>
    </Section>
  )
}
