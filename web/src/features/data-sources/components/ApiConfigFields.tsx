import { KeyValueEditor } from '../../../components/KeyValueEditor.tsx'
import { SelectField, TextField } from '../../../components/Field.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import type { ApiDraft } from '../config.ts'
import { ApiAuthFields } from './ApiAuthFields.tsx'
import { ApiPaginationFields } from './ApiPaginationFields.tsx'

/** URL, method, headers, authentication, pagination and records path of an HTTP JSON API source. */
export function ApiConfigFields({ draft, onChange, errors }: { draft: ApiDraft; onChange: (draft: ApiDraft) => void; errors: FieldErrors }) {
  const set = (change: Partial<ApiDraft>) => onChange({ ...draft, ...change })
  return (
    <>
      <div className="form-inline">
        <TextField label="URL" name="config.url" type="url" value={draft.url} onChange={(url) => set({ url })} error={errors['config.url']} className="grow" placeholder="https://api.example.com/v1/orders" spellCheck={false} autoComplete="off" />
        <SelectField
          label="Method"
          name="config.method"
          value={draft.method}
          onChange={(value) => set({ method: value === 'POST' ? 'POST' : 'GET' })}
          error={errors['config.method']}
          options={[
            { value: 'GET', label: 'GET' },
            { value: 'POST', label: 'POST' },
          ]}
        />
      </div>
      <p className="field-hint">
        Internal addresses (localhost, private networks) are blocked unless an instance administrator allows them in the setting <code>security.outbound_allowlist</code>.
      </p>
      {draft.method === 'POST' ? (
        <TextAreaField label="Request body (JSON, optional)" name="config.body" rows={4} className="mono-input" value={draft.body} onChange={(body) => set({ body })} error={errors['config.body']} spellCheck={false} />
      ) : null}
      <KeyValueEditor
        legend="Headers"
        rows={draft.headers}
        onChange={(headers) => set({ headers })}
        keyLabel="Header name"
        valueLabel="Header value"
        addLabel="Add header"
        hint="Values of headers named like Authorization, token, secret or key are stored encrypted and never shown again."
        error={errors['config.headers']}
      />
      <ApiAuthFields draft={draft} set={set} errors={errors} />
      <ApiPaginationFields draft={draft} set={set} errors={errors} />
      <TextField
        label="Records path (optional)"
        name="config.recordsPath"
        value={draft.recordsPath}
        onChange={(recordsPath) => set({ recordsPath })}
        error={errors['config.recordsPath']}
        placeholder="data.items"
        spellCheck={false}
        hint="Where the array of records is in each response. Empty: the response itself is the array."
      />
    </>
  )
}
