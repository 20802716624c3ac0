import { CheckboxField, SelectField, TextField } from '../../../components/Field.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import { SSL_MODES, type SqlDraft, type SslMode } from '../config.ts'

/** Host, port, database, user, password and TLS of a PostgreSQL or MySQL/MariaDB source. */
export function SqlConfigFields({ engine, draft, onChange, errors }: { engine: 'postgresql' | 'mysql'; draft: SqlDraft; onChange: (draft: SqlDraft) => void; errors: FieldErrors }) {
  const set = (change: Partial<SqlDraft>) => onChange({ ...draft, ...change })
  const defaultPort = engine === 'postgresql' ? '5432' : '3306'
  return (
    <>
      <div className="form-grid">
        <TextField label="Host" name="config.host" value={draft.host} onChange={(host) => set({ host })} error={errors['config.host']} autoComplete="off" spellCheck={false} placeholder="db.internal or 10.0.0.5" />
        <TextField label="Port" name="config.port" value={draft.port} onChange={(port) => set({ port })} error={errors['config.port']} inputMode="numeric" placeholder={defaultPort} hint={`Empty: ${defaultPort}.`} />
        <TextField label="Database" name="config.database" value={draft.database} onChange={(database) => set({ database })} error={errors['config.database']} autoComplete="off" spellCheck={false} />
        <TextField label="User" name="config.user" value={draft.user} onChange={(user) => set({ user })} error={errors['config.user']} autoComplete="off" spellCheck={false} hint="A read-only user is enough: Tessera only reads." />
        <TextField
          label="Password"
          name="config.password"
          type="password"
          value={draft.password}
          onChange={(password) => set({ password, clearPassword: false })}
          error={errors['config.password']}
          autoComplete="new-password"
          placeholder={draft.savedPassword ? 'saved — leave empty to keep' : undefined}
          hint={draft.savedPassword ? 'Stored encrypted and never shown.' : 'Optional. Stored encrypted and never shown again.'}
        />
        <SelectField label="SSL mode" name="config.sslMode" value={draft.sslMode} onChange={(value) => set({ sslMode: value as SslMode })} error={errors['config.sslMode']} options={SSL_MODES} hint="Verify full also checks the certificate and host name." />
      </div>
      {draft.savedPassword ? (
        <CheckboxField label="Remove the saved password" name="clearPassword" checked={draft.clearPassword} onChange={(clearPassword) => set({ clearPassword, password: '' })} hint="For a user that signs in without a password." />
      ) : null}
    </>
  )
}
