import { useRef, useState } from 'react'
import { SelectField, TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { rowsToObject } from '../../../components/KeyValueEditor.tsx'
import { keyedByPath } from '../../../lib/fieldPaths.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check, type Rule } from '../../../lib/validate.ts'
import { pipelinesApi, type CreatedSink, type Pipeline, type SinkInput, type SinkType } from '../api.ts'
import { EMPTY_SINK, PostgresSinkFields, WebhookSinkFields, type SinkDraft } from './SinkConfigFields.tsx'

const SINK_TYPES: Array<{ value: SinkType; label: string }> = [
  { value: 'webhook', label: 'Webhook (POST JSON to a URL)' },
  { value: 'postgresql', label: 'PostgreSQL table' },
  { value: 'pipeline', label: 'Another pipeline' },
]
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

function wholeIn(text: string, min: number, max: number): boolean {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max
}

function isUrl(text: string): boolean {
  try {
    const url = new URL(text.trim())
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/** The rules of src/modules/pipelines/sinks.service.ts, keyed as the server names its details. */
function sinkRules(type: SinkType, d: SinkDraft): Rule[] {
  switch (type) {
    case 'webhook':
      return [
        ['config.url', isUrl(d.url), 'Enter an http:// or https:// URL'],
        ['config.secret', d.secret === '' || (d.secret.length >= 16 && d.secret.length <= 200), 'Use 16–200 characters, or leave it empty to generate one'],
        ['config.maxRetries', wholeIn(d.maxRetries, 0, 10), 'Use a whole number between 0 and 10'],
        ['config.timeoutMs', wholeIn(d.timeoutMs, 100, 60_000), 'Use a whole number between 100 and 60000'],
      ]
    case 'postgresql':
      return [
        ['config.host', d.host.trim() !== '', 'Enter the host'],
        ['config.port', d.port.trim() === '' || wholeIn(d.port, 1, 65535), 'Use a port between 1 and 65535'],
        ['config.database', d.database.trim() !== '', 'Enter the database'],
        ['config.user', d.user.trim() !== '', 'Enter the user'],
        ['config.schema', d.schema.trim() === '' || IDENTIFIER.test(d.schema.trim()), 'Use letters, digits and _ (not starting with a digit)'],
        ['config.table', IDENTIFIER.test(d.table.trim()), 'Enter a table name: letters, digits and _ (not starting with a digit)'],
      ]
    case 'pipeline':
      return [['targetPipelineId', d.targetPipelineId !== '', 'Choose the pipeline that receives the records']]
  }
}

function sinkInput(type: SinkType, name: string, d: SinkDraft): SinkInput {
  const base = { sinkType: type, ...(name.trim() ? { name: name.trim() } : {}) }
  switch (type) {
    case 'webhook': {
      const headers = rowsToObject(d.headers)
      return {
        ...base,
        config: { url: d.url.trim(), ...(d.secret ? { secret: d.secret } : {}), ...(Object.keys(headers).length > 0 ? { headers } : {}), maxRetries: Number(d.maxRetries), timeoutMs: Number(d.timeoutMs) },
      }
    }
    case 'postgresql':
      return {
        ...base,
        config: {
          host: d.host.trim(),
          ...(d.port.trim() ? { port: Number(d.port) } : {}),
          database: d.database.trim(),
          user: d.user.trim(),
          ...(d.password ? { password: d.password } : {}),
          sslMode: d.sslMode,
          ...(d.schema.trim() ? { schema: d.schema.trim() } : {}),
          table: d.table.trim(),
        },
      }
    case 'pipeline':
      return { ...base, targetPipelineId: d.targetPipelineId }
  }
}

/** Adds a webhook, PostgreSQL table or pipeline sink; a generated signing secret comes back once. */
export function AddSinkForm({ orgId, pipelineId, pipelines, onAdded }: { orgId: string; pipelineId: string; pipelines: Pipeline[]; onAdded: (sink: CreatedSink) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [type, setType] = useState<SinkType>('webhook')
  const [name, setName] = useState('')
  const [draft, setDraft] = useState<SinkDraft>(EMPTY_SINK)
  const set = (change: Partial<SinkDraft>) => setDraft((current) => ({ ...current, ...change }))
  const targets = pipelines.filter((pipeline) => pipeline.id !== pipelineId)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check([['name', name.trim().length <= 255, 'Use at most 255 characters'], ...sinkRules(type, draft)])
      const sink = await keyedByPath(() => pipelinesApi.addSink(orgId, pipelineId, sinkInput(type, name, draft)))
      setName('')
      setDraft(EMPTY_SINK)
      onAdded(sink)
    },
    { knownFields: ['config.headers'] },
  )

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Add a sink">
      <div className="form-grid">
        <SelectField label="Sink type" name="sinkType" value={type} onChange={(value) => setType(value as SinkType)} error={fieldErrors.sinkType} options={SINK_TYPES} />
        <TextField label="Name (optional)" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" />
      </div>
      {type === 'webhook' ? <WebhookSinkFields draft={draft} set={set} errors={fieldErrors} /> : null}
      {type === 'postgresql' ? <PostgresSinkFields draft={draft} set={set} errors={fieldErrors} /> : null}
      {type === 'pipeline' ? (
        <SelectField
          label="Target pipeline"
          name="targetPipelineId"
          value={draft.targetPipelineId}
          onChange={(targetPipelineId) => set({ targetPipelineId })}
          error={fieldErrors.targetPipelineId}
          options={[{ value: '', label: targets.length === 0 ? 'No other pipeline yet' : 'Choose a pipeline…' }, ...targets.map((pipeline) => ({ value: pipeline.id, label: pipeline.name }))]}
          hint="The mapped records are pushed to it, as if sent to its ingest URL."
        />
      ) : null}
      <FormActions busy={busy} busyLabel="Adding…" submitLabel="Add sink" />
    </Form>
  )
}
