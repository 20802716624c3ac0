import { useId, useRef, useState } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { apiKeysApi, SCOPES, type ApiKeyScope, type CreatedApiKey } from '../api.ts'

function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString()
}

export function CreateApiKeyForm({ orgId, onCreated }: { orgId: string; onCreated: (key: CreatedApiKey) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const scopesId = useId()
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read'])
  const [expires, setExpires] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check([
        ['name', name.trim() !== '', 'Name the key after what uses it, e.g. “Ingest from web app”'],
        ['scopes', scopes.length > 0, 'Choose at least one scope'],
        ['expiresAt', expires === '' || new Date(endOfDay(expires)).getTime() > Date.now(), 'Choose a date in the future'],
      ])
      const created = await apiKeysApi.create(orgId, { name: name.trim(), scopes, ...(expires ? { expiresAt: endOfDay(expires) } : {}) })
      setName('')
      setScopes(['read'])
      setExpires('')
      onCreated(created)
    },
    { knownFields: ['scopes'] },
  )

  const toggle = (scope: ApiKeyScope, on: boolean) => setScopes((current) => (on ? [...current, scope] : current.filter((value) => value !== scope)))

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Create an API key">
      <TextField label="Key name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" hint="Describe where the key is used, so you know what breaks if you revoke it." />
      <fieldset className={`fieldset${fieldErrors.scopes ? ' field--invalid' : ''}`} aria-describedby={fieldErrors.scopes ? `${scopesId}-error` : undefined}>
        <legend>Scopes</legend>
        <div className="checkbox-grid">
          {SCOPES.map((scope, index) => (
            <div className="checkbox-card" key={scope.value}>
              <input
                type="checkbox"
                id={`${scopesId}-${scope.value}`}
                name="scopes"
                value={scope.value}
                checked={scopes.includes(scope.value)}
                onChange={(event) => toggle(scope.value, event.target.checked)}
                aria-invalid={fieldErrors.scopes && index === 0 ? true : undefined}
                aria-describedby={`${scopesId}-${scope.value}-description`}
              />
              <label htmlFor={`${scopesId}-${scope.value}`}>
                <span className="checkbox-card-title">{scope.label}</span>
                <span className="checkbox-card-description" id={`${scopesId}-${scope.value}-description`}>
                  {scope.description}
                </span>
              </label>
            </div>
          ))}
        </div>
        {fieldErrors.scopes ? (
          <p className="field-error" id={`${scopesId}-error`}>
            {fieldErrors.scopes}
          </p>
        ) : null}
      </fieldset>
      <TextField
        label="Expires on (optional)"
        name="expiresAt"
        type="date"
        value={expires}
        onChange={setExpires}
        error={fieldErrors.expiresAt}
        hint="Leave empty for a key that works until revoked."
      />
      <FormActions busy={busy} busyLabel="Creating…" submitLabel="Create API key" />
    </Form>
  )
}
