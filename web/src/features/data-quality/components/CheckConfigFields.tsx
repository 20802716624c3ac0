import { Button } from '../../../components/Button.tsx'
import { CheckboxField, SelectField, TextField } from '../../../components/Field.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import { capitalize } from '../../../lib/format.ts'
import { VALUE_TYPES, type ValueType } from '../api.ts'
import type { CheckDraft } from '../checkForm.ts'

type Props = { draft: CheckDraft; set: (change: Partial<CheckDraft>) => void; errors: FieldErrors; idPrefix: string }

const TYPE_OPTIONS = VALUE_TYPES.map((type) => ({ value: type, label: type }))

/** The settings of one check type; inputs are named after the API's config paths so server errors land under them. */
export function CheckConfigFields({ draft, set, errors, idPrefix }: Props) {
  switch (draft.checkType) {
    case 'completeness':
      return (
        <TextAreaField
          label="Required fields"
          name="config.fields"
          value={draft.fields}
          onChange={(fields) => set({ fields })}
          error={errors['config.fields']}
          rows={4}
          spellCheck={false}
          placeholder={'order_id\ncustomer.email'}
          hint="One per line (at most 100). A row fails when one is missing or null; a.b reaches into nested objects."
        />
      )
    case 'accuracy':
      return (
        <fieldset className="fieldset">
          <legend>Accuracy rules</legend>
          {errors.config ? <ConfigError message={errors.config} /> : null}
          <TextField label="Field" name="config.field" value={draft.field} onChange={(field) => set({ field })} error={errors['config.field']} spellCheck={false} autoComplete="off" hint="The field whose value is checked." />
          <div className="form-grid">
            <TextField label="Minimum (optional)" name="config.min" value={draft.min} onChange={(min) => set({ min })} error={errors['config.min']} inputMode="decimal" />
            <TextField label="Maximum (optional)" name="config.max" value={draft.max} onChange={(max) => set({ max })} error={errors['config.max']} inputMode="decimal" />
          </div>
          <TextField label="Pattern (optional)" name="config.pattern" value={draft.pattern} onChange={(pattern) => set({ pattern })} error={errors['config.pattern']} spellCheck={false} autoComplete="off" placeholder="^[A-Z]{2}-\d+$" hint="A regular expression text values must match; no back-references." />
          <TextAreaField
            label="Allowed values (optional)"
            name="config.allowed"
            value={draft.allowed}
            onChange={(allowed) => set({ allowed })}
            error={errors['config.allowed']}
            rows={3}
            spellCheck={false}
            hint={'One per line. Numbers, true, false and null are read as such; write "42" in quotes to mean the text.'}
          />
          <p className="field-hint">Set at least one rule. Rows without a value for the field are skipped, not failed.</p>
        </fieldset>
      )
    case 'consistency':
      return <ConsistencyFields draft={draft} set={set} errors={errors} idPrefix={idPrefix} />
    case 'freshness':
      return (
        <TextField
          label="Maximum age (minutes)"
          name="config.maxAgeMinutes"
          value={draft.maxAgeMinutes}
          onChange={(maxAgeMinutes) => set({ maxAgeMinutes })}
          error={errors['config.maxAgeMinutes']}
          inputMode="numeric"
          hint="Fails when the pipeline received no records for this long (1–525600). Checked every minute."
        />
      )
  }
}

function ConfigError({ message }: { message: string }) {
  return (
    <p className="field-error" role="alert" tabIndex={-1}>
      {capitalize(message)}
    </p>
  )
}

/** Field → expected type rows, or the types the pipeline's mapping declares. */
function ConsistencyFields({ draft, set, errors, idPrefix }: Props) {
  const setPair = (index: number, change: Partial<{ field: string; type: ValueType }>) => set({ pairs: draft.pairs.map((pair, i) => (i === index ? { ...pair, ...change } : pair)) })
  return (
    <fieldset className="fieldset">
      <legend>Expected types</legend>
      <CheckboxField
        label="Use the types of the pipeline’s mapping"
        name="config.useMapping"
        checked={draft.useMapping}
        onChange={(useMapping) => set({ useMapping })}
        hint="Each mapped field must have the type the mapping gives it."
      />
      {draft.useMapping ? null : (
        <>
          {draft.pairs.map((pair, index) => (
            <div className="type-pair" key={index} role="group" aria-label={`Field ${index + 1}`}>
              <TextField label="Field" id={`${idPrefix}-pair-${index}-field`} name={`pair-${index}-field`} value={pair.field} onChange={(field) => setPair(index, { field })} spellCheck={false} autoComplete="off" />
              <SelectField label="Type" id={`${idPrefix}-pair-${index}-type`} name={`pair-${index}-type`} value={pair.type} onChange={(type) => setPair(index, { type: type as ValueType })} options={TYPE_OPTIONS} />
              <Button variant="ghost" aria-label={`Remove field ${index + 1}`} disabled={draft.pairs.length === 1} onClick={() => set({ pairs: draft.pairs.filter((_, i) => i !== index) })}>
                Remove
              </Button>
            </div>
          ))}
          {errors['config.fields'] ? <ConfigError message={errors['config.fields']} /> : null}
          <Button variant="secondary" className="btn--small" onClick={() => set({ pairs: [...draft.pairs, { field: '', type: 'string' }] })}>
            Add field
          </Button>
        </>
      )}
    </fieldset>
  )
}
