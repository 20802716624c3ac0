import { SelectField, TextField } from '../../../components/Field.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import type { ApiDraft, AuthType } from '../config.ts'

const AUTH_OPTIONS: Array<{ value: AuthType; label: string }> = [
  { value: 'none', label: 'None' },
  { value: 'bearer', label: 'Bearer token' },
  { value: 'basic', label: 'Basic (user name and password)' },
  { value: 'apiKey', label: 'API key in a header or query parameter' },
]

/** How Tessera authenticates to the API; the secret input stays empty once saved. */
export function ApiAuthFields({ draft, set, errors }: { draft: ApiDraft; set: (change: Partial<ApiDraft>) => void; errors: FieldErrors }) {
  const kept = draft.savedAuthType === draft.authType
  const secretHint = kept ? 'Stored encrypted and never shown.' : 'Stored encrypted and never shown again.'
  const placeholder = kept ? 'saved — leave empty to keep' : undefined
  return (
    <div className="form-grid">
      <SelectField label="Authentication" name="config.auth.type" value={draft.authType} onChange={(value) => set({ authType: value as AuthType })} error={errors['config.auth.type']} options={AUTH_OPTIONS} />
      {draft.authType === 'bearer' ? (
        <TextField label="Bearer token" name="config.auth.token" type="password" value={draft.token} onChange={(token) => set({ token })} error={errors['config.auth.token']} autoComplete="off" placeholder={placeholder} hint={`Sent as Authorization: Bearer …. ${secretHint}`} />
      ) : null}
      {draft.authType === 'basic' ? (
        <>
          <TextField label="User name" name="config.auth.username" value={draft.username} onChange={(username) => set({ username })} error={errors['config.auth.username']} autoComplete="off" />
          <TextField label="Password" name="config.auth.password" type="password" value={draft.password} onChange={(password) => set({ password })} error={errors['config.auth.password']} autoComplete="new-password" placeholder={placeholder} hint={secretHint} />
        </>
      ) : null}
      {draft.authType === 'apiKey' ? (
        <>
          <SelectField
            label="Send the key in"
            name="config.auth.in"
            value={draft.keyIn}
            onChange={(value) => set({ keyIn: value === 'query' ? 'query' : 'header' })}
            error={errors['config.auth.in']}
            options={[
              { value: 'header', label: 'A header' },
              { value: 'query', label: 'A query parameter' },
            ]}
          />
          <TextField label={draft.keyIn === 'header' ? 'Header name' : 'Parameter name'} name="config.auth.name" value={draft.keyName} onChange={(keyName) => set({ keyName })} error={errors['config.auth.name']} autoComplete="off" spellCheck={false} placeholder={draft.keyIn === 'header' ? 'X-API-Key' : 'api_key'} />
          <TextField label="API key" name="config.auth.value" type="password" value={draft.keyValue} onChange={(keyValue) => set({ keyValue })} error={errors['config.auth.value']} autoComplete="off" placeholder={placeholder} hint={secretHint} />
        </>
      ) : null}
    </div>
  )
}
