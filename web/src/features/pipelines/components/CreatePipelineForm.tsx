import { useRef, useState } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { RadioCards, type RadioCardOption } from '../../../components/RadioCards.tsx'
import { keyedByPath } from '../../../lib/fieldPaths.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import type { DataSource } from '../../data-sources/api.ts'
import { pipelinesApi, type CreatedPipeline, type PipelineType } from '../api.ts'
import { EMPTY_DRAFT, pipelineInput, pipelineRules, type PipelineDraft } from '../settings.ts'
import { PollingFields } from './PollingFields.tsx'
import { StorageFields } from './StorageFields.tsx'

export const PIPELINE_TYPES: Array<RadioCardOption<PipelineType>> = [
  { value: 'polling', label: 'Polling', description: 'Tessera fetches from a data source on a schedule: an interval or a cron expression.' },
  { value: 'realtime', label: 'Realtime', description: 'Your applications push records to its ingest URL (with an API key) or webhook; each batch is mapped and stored at once.' },
  { value: 'p2p', label: 'Pass-through (p2p)', description: 'Pushed records are mapped and forwarded to the sinks right away, never stored.' },
]

export function CreatePipelineForm({ orgId, sources, initial, onCreated }: { orgId: string; sources: DataSource[]; initial?: Partial<PipelineDraft>; onCreated: (pipeline: CreatedPipeline) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [draft, setDraft] = useState<PipelineDraft>({ ...EMPTY_DRAFT, ...initial })
  const set = (change: Partial<PipelineDraft>) => setDraft((current) => ({ ...current, ...change }))

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check(pipelineRules(draft))
      if (draft.type === '') {
        return
      }
      const created = await keyedByPath(() => pipelinesApi.create(orgId, { ...pipelineInput(draft), name: draft.name.trim(), type: draft.type as PipelineType }))
      onCreated(created)
    },
    { knownFields: ['type'] },
  )

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Create a pipeline">
      <div className="form-grid">
        <TextField label="Name" name="name" value={draft.name} onChange={(name) => set({ name })} error={fieldErrors.name} autoComplete="off" />
        <TextField label="Description (optional)" name="description" value={draft.description} onChange={(description) => set({ description })} error={fieldErrors.description} autoComplete="off" />
      </div>
      <RadioCards legend="Pipeline type" name="type" value={draft.type} options={PIPELINE_TYPES} onChange={(type) => set({ type })} error={fieldErrors.type} />
      {draft.type === 'polling' ? <PollingFields orgId={orgId} draft={draft} set={set} errors={fieldErrors} sources={sources} /> : null}
      {draft.type !== '' ? <StorageFields draft={draft} set={set} errors={fieldErrors} /> : null}
      <p className="muted small">You set up the mapping of fields and the sinks once the pipeline exists.</p>
      <FormActions busy={busy} busyLabel="Creating…" submitLabel="Create pipeline" />
    </Form>
  )
}
