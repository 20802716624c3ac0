import { KeyValueEditor, type KeyValueRow } from '../../../components/KeyValueEditor.tsx'
import { SelectField, TextField } from '../../../components/Field.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import { SSL_MODES } from '../../data-sources/config.ts'

export interface SinkDraft {
  url: string
  secret: string
  headers: KeyValueRow[]
  maxRetries: string
  timeoutMs: string
  host: string
  port: string
  database: string
  user: string
  password: string
  sslMode: string
  schema: string
  table: string
  targetPipelineId: string
}

export const EMPTY_SINK: SinkDraft = { url: '', secret: '', headers: [], maxRetries: '5', timeoutMs: '10000', host: '', port: '', database: '', user: '', password: '', sslMode: 'prefer', schema: '', table: '', targetPipelineId: '' }

type Props = { draft: SinkDraft; set: (change: Partial<SinkDraft>) => void; errors: FieldErrors }

export function WebhookSinkFields({ draft, set, errors }: Props) {
  return (
    <>
      <TextField label="Webhook URL" name="config.url" type="url" value={draft.url} onChange={(url) => set({ url })} error={errors['config.url']} placeholder="https://example.com/hooks/tessera" spellCheck={false} autoComplete="off" />
      <TextField
        label="Signing secret (optional)"
        name="config.secret"
        type="password"
        value={draft.secret}
        onChange={(secret) => set({ secret })}
        error={errors['config.secret']}
        autoComplete="off"
        hint="16–200 characters. Empty: Tessera generates one and shows it once. Each delivery is signed with HMAC-SHA256."
      />
      <KeyValueEditor legend="Headers" rows={draft.headers} onChange={(headers) => set({ headers })} keyLabel="Header name" valueLabel="Header value" addLabel="Add header" hint="Sent with each delivery; stored encrypted." error={errors['config.headers']} />
      <div className="form-grid">
        <TextField label="Retries" name="config.maxRetries" value={draft.maxRetries} onChange={(maxRetries) => set({ maxRetries })} error={errors['config.maxRetries']} inputMode="numeric" hint="0–10." />
        <TextField label="Timeout (ms)" name="config.timeoutMs" value={draft.timeoutMs} onChange={(timeoutMs) => set({ timeoutMs })} error={errors['config.timeoutMs']} inputMode="numeric" hint="100–60000." />
      </div>
    </>
  )
}

export function PostgresSinkFields({ draft, set, errors }: Props) {
  return (
    <div className="form-grid">
      <TextField label="Host" name="config.host" value={draft.host} onChange={(host) => set({ host })} error={errors['config.host']} autoComplete="off" spellCheck={false} />
      <TextField label="Port" name="config.port" value={draft.port} onChange={(port) => set({ port })} error={errors['config.port']} inputMode="numeric" placeholder="5432" />
      <TextField label="Database" name="config.database" value={draft.database} onChange={(database) => set({ database })} error={errors['config.database']} autoComplete="off" spellCheck={false} />
      <TextField label="User" name="config.user" value={draft.user} onChange={(user) => set({ user })} error={errors['config.user']} autoComplete="off" spellCheck={false} />
      <TextField label="Password" name="config.password" type="password" value={draft.password} onChange={(password) => set({ password })} error={errors['config.password']} autoComplete="new-password" hint="Stored encrypted and never shown again." />
      <SelectField label="SSL mode" name="config.sslMode" value={draft.sslMode} onChange={(sslMode) => set({ sslMode })} error={errors['config.sslMode']} options={SSL_MODES} />
      <TextField label="Schema" name="config.schema" value={draft.schema} onChange={(schema) => set({ schema })} error={errors['config.schema']} placeholder="public" spellCheck={false} />
      <TextField label="Table" name="config.table" value={draft.table} onChange={(table) => set({ table })} error={errors['config.table']} spellCheck={false} hint="Rows are inserted into it, one column per mapped field." />
    </div>
  )
}
