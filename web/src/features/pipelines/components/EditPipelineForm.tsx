import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { keyedByPath } from '../../../lib/fieldPaths.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import type { DataSource } from '../../data-sources/api.ts'
import { pipelinesApi, type Pipeline } from '../api.ts'
import { draftFrom, pipelineInput, pipelineRules, type PipelineDraft } from '../settings.ts'
import { PollingFields } from './PollingFields.tsx'
import { StorageFields } from './StorageFields.tsx'

/** Everything but the type, which is fixed once the pipeline exists. */
export function EditPipelineForm({ orgId, pipeline, sources, onSaved }: { orgId: string; pipeline: Pipeline; sources: DataSource[]; onSaved: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [draft, setDraft] = useState<PipelineDraft>(() => draftFrom(pipeline))
  const [saved, setSaved] = useState(false)
  const set = (change: Partial<PipelineDraft>) => {
    setSaved(false)
    setDraft((current) => ({ ...current, ...change }))
  }

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setSaved(false)
    check(pipelineRules(draft))
    await keyedByPath(() => pipelinesApi.update(orgId, pipeline.id, pipelineInput(draft, pipeline)))
    setSaved(true)
    onSaved()
  })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Edit pipeline">
      {saved ? <Alert tone="success">Saved.</Alert> : null}
      <div className="form-grid">
        <TextField label="Name" name="name" value={draft.name} onChange={(name) => set({ name })} error={fieldErrors.name} autoComplete="off" />
        <TextField label="Description (optional)" name="description" value={draft.description} onChange={(description) => set({ description })} error={fieldErrors.description} autoComplete="off" />
      </div>
      {pipeline.type === 'polling' ? <PollingFields orgId={orgId} draft={draft} set={set} errors={fieldErrors} sources={sources} /> : null}
      <StorageFields draft={draft} set={set} errors={fieldErrors} />
      {pipeline.sourceConfigSecrets.length > 0 ? <p className="muted small">Changing the query or the record limit replaces the stored source settings, including {pipeline.sourceConfigSecrets.join(', ')}.</p> : null}
      <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save changes" />
    </Form>
  )
}
