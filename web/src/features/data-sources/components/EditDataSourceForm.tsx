import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { keyedByPath } from '../../../lib/fieldPaths.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check, type Rule } from '../../../lib/validate.ts'
import { dataSourcesApi, type DataSource } from '../api.ts'
import { apiConfig, apiDraftFrom, apiRules, sqlConfig, sqlDraftFrom, sqlRules, type ApiDraft, type SqlDraft } from '../config.ts'
import { ApiConfigFields } from './ApiConfigFields.tsx'
import { SqlConfigFields } from './SqlConfigFields.tsx'

/** Rename a source and change its connection; secrets are never shown, and an empty secret keeps the saved one. */
export function EditDataSourceForm({ orgId, source, onSaved }: { orgId: string; source: DataSource; onSaved: (source: DataSource) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState(source.name)
  const [description, setDescription] = useState(source.description ?? '')
  const [sql, setSql] = useState<SqlDraft>(() => sqlDraftFrom(source.config))
  const [apiDraft, setApiDraft] = useState<ApiDraft>(() => apiDraftFrom(source.config))
  const [saved, setSaved] = useState(false)
  const isSql = source.type === 'postgresql' || source.type === 'mysql'

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      setSaved(false)
      const rules: Rule[] = [['name', name.trim() !== '' && name.trim().length <= 255, 'Enter a name of at most 255 characters']]
      if (isSql) {
        rules.push(...sqlRules(sql))
      } else if (source.type === 'api') {
        rules.push(...apiRules(apiDraft))
      }
      check(rules)
      const config = isSql ? sqlConfig(sql) : source.type === 'api' ? apiConfig(apiDraft) : undefined
      const updated = await keyedByPath(() => dataSourcesApi.update(orgId, source.id, { name: name.trim(), description: description.trim() === '' ? null : description.trim(), ...(config ? { config } : {}) }))
      // Secrets entered are now saved: clear their inputs and show the "saved" placeholders.
      setSql(sqlDraftFrom(updated.config))
      setApiDraft(apiDraftFrom(updated.config))
      setSaved(true)
      onSaved(updated)
    },
    { knownFields: ['config.headers'] },
  )

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Edit data source">
      {saved ? <Alert tone="success">Saved. Test the connection to check the new settings.</Alert> : null}
      <div className="form-grid">
        <TextField label="Name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" />
        <TextField label="Description (optional)" name="description" value={description} onChange={setDescription} error={fieldErrors.description} autoComplete="off" />
      </div>
      {source.type === 'postgresql' || source.type === 'mysql' ? <SqlConfigFields engine={source.type} draft={sql} onChange={setSql} errors={fieldErrors} /> : null}
      {source.type === 'api' ? <ApiConfigFields draft={apiDraft} onChange={setApiDraft} errors={fieldErrors} /> : null}
      <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save changes" />
    </Form>
  )
}
