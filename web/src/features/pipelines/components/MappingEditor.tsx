import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { Section } from '../../../components/PageHeader.tsx'
import { ApiError, errorMessage } from '../../../lib/api.ts'
import { pipelinesApi, type Mapping, type MappingSpec } from '../api.ts'
import { draftFromSpec, errorsFromDetails, specFromDraft, validateDraft, type MappingErrors } from '../mapping.ts'
import { parseSample, suggestFields } from '../sample.ts'
import { useMappingDraft } from '../useMappingDraft.ts'
import { AddStep } from './AddStep.tsx'
import { FieldMappingRows } from './FieldMappingRows.tsx'
import { PreviewPanel } from './PreviewPanel.tsx'
import { TimestampField } from './TimestampField.tsx'
import { ExpressionHelp, TransformationRows } from './TransformationRows.tsx'

type Status = { tone: 'success' | 'error'; text: string }

/** Field mappings, transformations and the timestamp field, tried on a sample before PUT …/mapping saves them. */
export function MappingEditor({
  orgId,
  pipelineId,
  mapping,
  initialSample,
  readOnly,
  onSaved,
}: {
  orgId: string
  pipelineId: string
  mapping: Mapping | null
  initialSample: string
  readOnly: boolean
  onSaved: () => void
}) {
  const editor = useMappingDraft(draftFromSpec(mapping))
  const rootRef = useRef<HTMLDivElement>(null)
  const [sample, setSample] = useState(initialSample)
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<Status | undefined>(undefined)
  const { draft, errors } = editor

  /** Shows the errors and moves focus to the first invalid input, as forms do after a failed submit. */
  const showErrors = (found: MappingErrors) => {
    editor.setErrors(found)
    requestAnimationFrame(() => rootRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
  }

  /** The spec after the editor's own checks; undefined (with the errors shown) when they fail. */
  const buildSpec = (): MappingSpec | undefined => {
    const found = validateDraft(draft)
    showErrors(found)
    if (Object.keys(found).length > 0) {
      return undefined
    }
    const parsed = parseSample(sample)
    return specFromDraft(draft, parsed.ok ? parsed.records : undefined)
  }

  const handleSave = () => {
    setStatus(undefined)
    const spec = buildSpec()
    if (!spec) {
      setStatus({ tone: 'error', text: 'Some fields need your attention.' })
      return
    }
    setBusy(true)
    pipelinesApi
      .putMapping(orgId, pipelineId, spec)
      .then((saved) => {
        editor.markSaved(draftFromSpec(saved))
        setStatus({ tone: 'success', text: `Mapping saved (version ${saved.version}). New records are mapped with it.` })
        onSaved()
      })
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.details.length > 0) {
          showErrors(errorsFromDetails(caught.details))
        }
        setStatus({ tone: 'error', text: errorMessage(caught) })
      })
      .finally(() => setBusy(false))
  }

  const handleSuggest = () => {
    const parsed = parseSample(sample)
    if (!parsed.ok) {
      setStatus({ tone: 'error', text: parsed.error })
      return
    }
    const taken = new Set(draft.fields.map((row) => row.path.trim()))
    const rows = suggestFields(parsed.records).filter((row) => !taken.has(row.path))
    editor.addFields(rows)
    const time = rows.find((row) => row.type === 'timestamp')
    if (time && draft.timestampField === '') {
      editor.setTimestampField(time.field)
    }
    setStatus({ tone: 'success', text: rows.length === 0 ? 'Every field of the sample is already mapped.' : `Added ${rows.length} fields from the sample. Check their names and types.` })
  }

  return (
    <div className="mapping-editor" ref={rootRef}>
      {readOnly ? (
        <Alert tone="info" title="Read only">
          Viewers can look at the mapping and preview it; owners, admins and members change it.
        </Alert>
      ) : null}
      <fieldset className="plain-fieldset" disabled={readOnly}>
        <legend className="visually-hidden">Mapping</legend>
        <Section
          title="Field mappings"
          id="mapping-fields"
          description="Each output field takes its value from a JSONPath in the incoming record ($.user.id, $.items[0].price, $['odd key']) and is cast to its type. Without any, records are stored as they come."
        >
          <div className="stack">
            {draft.fields.length === 0 ? <EmptyState title="No field mappings">Add fields one by one, or suggest them from the sample records below.</EmptyState> : null}
            <FieldMappingRows rows={draft.fields} onChange={editor.updateField} onRemove={editor.removeField} errors={errors} />
            <div className="inline-actions">
              <Button variant="secondary" onClick={() => editor.addField()}>
                Add field
              </Button>
              <Button variant="ghost" onClick={handleSuggest}>
                Suggest fields from the sample
              </Button>
            </div>
            <TimestampField draft={draft} onChange={editor.setTimestampField} error={errors.timestampField} />
          </div>
        </Section>
        <Section title="Transformations" id="mapping-steps" description="Run in order on each mapped row: rename, cast, default, computed fields and filters.">
          {draft.steps.length === 0 ? <p className="muted">No transformations.</p> : null}
          <ExpressionHelp />
          <TransformationRows rows={draft.steps} onChange={editor.updateStep} onRemove={editor.removeStep} onMove={editor.moveStep} errors={errors} />
          {readOnly ? null : <AddStep onAdd={editor.addStep} />}
        </Section>
      </fieldset>
      <Section title="Preview" id="mapping-preview" description="Try the mapping as edited on sample records before saving it.">
        <PreviewPanel orgId={orgId} sample={sample} onSampleChange={setSample} buildSpec={buildSpec} onMappingErrors={showErrors} />
      </Section>
      {readOnly ? null : (
        <div className="card sticky-actions">
          {status ? (
            <Alert tone={status.tone} className="compact-alert">
              {status.text}
            </Alert>
          ) : null}
          <div className="inline-actions">
            <Button variant="primary" busy={busy} busyLabel="Saving…" onClick={handleSave}>
              Save mapping
            </Button>
            {editor.dirty ? <span className="muted small">Unsaved changes</span> : null}
            {mapping ? (
              <ConfirmButton
                label="Remove mapping"
                confirmLabel="Remove the mapping"
                onConfirm={async () => {
                  await pipelinesApi.deleteMapping(orgId, pipelineId)
                  editor.markSaved(draftFromSpec(null))
                  setStatus({ tone: 'success', text: 'Mapping removed: records are stored as they come.' })
                  onSaved()
                }}
              />
            ) : null}
          </div>
        </div>
      )}
    </div>
  )
}
