import { useId, useRef, useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { CheckboxField, SelectField, TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { CHECK_TYPES, ON_FAILURE_LABELS, qualityApi, type CheckType, type OnFailure, type QualityCheck } from '../api.ts'
import { checkFieldErrors, checkInput, checkRules, draftFromCheck, EMPTY_CHECK, type CheckDraft } from '../checkForm.ts'
import { CheckConfigFields } from './CheckConfigFields.tsx'

const TYPE_OPTIONS = CHECK_TYPES.map((type) => ({ value: type.value, label: type.label }))
const FAILURE_OPTIONS = (['warn', 'pause'] as const).map((value) => ({ value, label: ON_FAILURE_LABELS[value] }))

async function withCheckErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    throw checkFieldErrors(error)
  }
}

/** Adds a check, or edits `existing` (whose type is fixed). */
export function QualityCheckForm({ orgId, pipelineId, existing, onSaved, onCancel }: { orgId: string; pipelineId: string; existing?: QualityCheck; onSaved: (check: QualityCheck) => void; onCancel?: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const idPrefix = useId()
  const [draft, setDraft] = useState<CheckDraft>(() => (existing ? draftFromCheck(existing) : EMPTY_CHECK))
  const set = (change: Partial<CheckDraft>) => setDraft((current) => ({ ...current, ...change }))

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check(checkRules(draft))
      const { checkType, ...changes } = checkInput(draft)
      const saved = await withCheckErrors(() => (existing ? qualityApi.update(orgId, pipelineId, existing.id, changes) : qualityApi.create(orgId, pipelineId, { ...changes, checkType })))
      if (!existing) {
        setDraft(EMPTY_CHECK)
      }
      onSaved(saved)
    },
    { knownFields: ['config', 'config.fields'] },
  )

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label={existing ? `Edit check ${existing.name}` : 'Add a quality check'}>
      <div className="form-grid">
        <TextField label="Name" id={`${idPrefix}-name`} name="name" value={draft.name} onChange={(name) => set({ name })} error={fieldErrors.name} autoComplete="off" placeholder="Order ids present" />
        <SelectField
          label="Check type"
          id={`${idPrefix}-type`}
          name="checkType"
          value={draft.checkType}
          onChange={(checkType) => set({ checkType: checkType as CheckType })}
          error={fieldErrors.checkType}
          options={TYPE_OPTIONS}
          disabled={existing !== undefined}
          hint={existing ? 'The type of a check is fixed; add another check for another type.' : `${CHECK_TYPES.find((type) => type.value === draft.checkType)?.description ?? ''}.`}
        />
      </div>
      <CheckConfigFields draft={draft} set={set} errors={fieldErrors} idPrefix={idPrefix} />
      <div className="form-grid">
        <SelectField
          label="On failure"
          id={`${idPrefix}-on-failure`}
          name="onFailure"
          value={draft.onFailure}
          onChange={(onFailure) => set({ onFailure: onFailure as OnFailure })}
          error={fieldErrors.onFailure}
          options={FAILURE_OPTIONS}
          hint={draft.onFailure === 'pause' ? 'Pushes are refused and runs stop until someone resumes the pipeline. The failing batch is still stored.' : 'The failure is only recorded here.'}
        />
        {draft.checkType === 'freshness' ? null : (
          <TextField
            label="Pass threshold (%)"
            id={`${idPrefix}-threshold`}
            name="threshold"
            value={draft.threshold}
            onChange={(threshold) => set({ threshold })}
            error={fieldErrors.threshold}
            inputMode="decimal"
            hint="The least share of a batch’s checked rows that must pass (0–100)."
          />
        )}
      </div>
      <CheckboxField label="Enabled" id={`${idPrefix}-enabled`} name="enabled" checked={draft.enabled} onChange={(enabled) => set({ enabled })} hint="A disabled check is kept but not evaluated." />
      <FormActions busy={busy} busyLabel="Saving…" submitLabel={existing ? 'Save check' : 'Add check'}>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </FormActions>
    </Form>
  )
}
