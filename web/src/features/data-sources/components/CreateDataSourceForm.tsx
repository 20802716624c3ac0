import { useRef, useState } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { keyedByPath } from '../../../lib/fieldPaths.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check, type Rule } from '../../../lib/validate.ts'
import { dataSourcesApi, type CreatableType, type DataSource } from '../api.ts'
import { apiConfig, apiRules, EMPTY_API, EMPTY_SQL, sqlConfig, sqlRules, type ApiDraft, type SqlDraft } from '../config.ts'
import { ApiConfigFields } from './ApiConfigFields.tsx'
import { SqlConfigFields } from './SqlConfigFields.tsx'

/** Name, description and the connection settings of a new PostgreSQL, MySQL, HTTP API or push source. */
export function CreateDataSourceForm({ orgId, type, onCreated }: { orgId: string; type: CreatableType; onCreated: (source: DataSource) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [sql, setSql] = useState<SqlDraft>(EMPTY_SQL)
  const [apiDraft, setApiDraft] = useState<ApiDraft>(EMPTY_API)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      const rules: Rule[] = [['name', name.trim() !== '' && name.trim().length <= 255, 'Enter a name of at most 255 characters']]
      if (type === 'postgresql' || type === 'mysql') {
        rules.push(...sqlRules(sql))
      } else if (type === 'api') {
        rules.push(...apiRules(apiDraft))
      }
      check(rules)
      const config = type === 'api' ? apiConfig(apiDraft) : type === 'push' ? {} : sqlConfig(sql)
      const created = await keyedByPath(() => dataSourcesApi.create(orgId, { name: name.trim(), type, ...(description.trim() ? { description: description.trim() } : {}), config }))
      onCreated(created)
    },
    { knownFields: ['config.headers'] },
  )

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Create a data source">
      <div className="form-grid">
        <TextField label="Name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" hint="How pipelines and people will recognize it." />
        <TextField label="Description (optional)" name="description" value={description} onChange={setDescription} error={fieldErrors.description} autoComplete="off" />
      </div>
      {type === 'postgresql' || type === 'mysql' ? <SqlConfigFields engine={type} draft={sql} onChange={setSql} errors={fieldErrors} /> : null}
      {type === 'api' ? <ApiConfigFields draft={apiDraft} onChange={setApiDraft} errors={fieldErrors} /> : null}
      {type === 'push' ? (
        <p className="muted">
          A push source has nothing to connect to: applications send records to a realtime pipeline through the ingest API or its webhook. Create the source, then a realtime pipeline that uses it.
        </p>
      ) : null}
      {type !== 'push' ? <p className="muted small">Tessera tests the connection and discovers the schema right after creating the source.</p> : null}
      <FormActions busy={busy} busyLabel={type === 'push' ? 'Creating…' : 'Creating and testing…'} submitLabel="Create data source" />
    </Form>
  )
}
