import { Button } from '../../../components/Button.tsx'
import { CheckboxField, SelectField, TextField } from '../../../components/Field.tsx'
import type { CastErrorMode, FieldType } from '../api.ts'
import { CAST_MODES, FIELD_TYPES, type FieldRow, type MappingErrors } from '../mapping.ts'

const TYPE_OPTIONS = FIELD_TYPES.map((type) => ({ value: type, label: type }))

/**
 * One group per output field: where it comes from in the record (JSONPath), its name and type,
 * and what happens when the value doesn't cast. Each group is named "Field N" for assistive tech.
 */
export function FieldMappingRows({ rows, onChange, onRemove, errors }: { rows: FieldRow[]; onChange: (index: number, change: Partial<FieldRow>) => void; onRemove: (index: number) => void; errors: MappingErrors }) {
  return (
    <ol className="mapping-rows">
      {rows.map((row, i) => {
        const at = `mappings[${i}]`
        return (
          <li key={row.key}>
            <fieldset className="mapping-row">
              <legend className="mapping-row-title">{`Field ${i + 1}`}</legend>
              <div className="mapping-row-grid mapping-row-grid--fields">
                <TextField label="Source path (JSONPath)" name={`${at}.path`} value={row.path} onChange={(path) => onChange(i, { path })} error={errors[`${at}.path`]} className="mono-input" spellCheck={false} autoComplete="off" placeholder="$.user.id" />
                <TextField label="Field name" name={`${at}.field`} value={row.field} onChange={(field) => onChange(i, { field })} error={errors[`${at}.field`]} spellCheck={false} autoComplete="off" />
                <SelectField label="Type" name={`${at}.type`} value={row.type} onChange={(type) => onChange(i, { type: type as FieldType })} error={errors[`${at}.type`]} options={TYPE_OPTIONS} />
                <SelectField label="If the cast fails" name={`${at}.onCastError`} value={row.onCastError} onChange={(mode) => onChange(i, { onCastError: mode as CastErrorMode })} error={errors[`${at}.onCastError`]} options={CAST_MODES} />
                <TextField label="Default (optional)" name={`${at}.default`} value={row.defaultValue} onChange={(defaultValue) => onChange(i, { defaultValue })} error={errors[`${at}.default`]} className="mono-input" spellCheck={false} autoComplete="off" placeholder="JSON or text" />
              </div>
              <div className="mapping-row-footer">
                <CheckboxField label="Required" name={`${at}.required`} checked={row.required} onChange={(required) => onChange(i, { required })} error={errors[`${at}.required`]} />
                <Button variant="ghost" className="btn--danger-text" aria-label={`Remove field ${i + 1}${row.field ? ` (${row.field})` : ''}`} onClick={() => onRemove(i)}>
                  Remove
                </Button>
              </div>
              {errors[at] ? <p className="field-error">{errors[at]}</p> : null}
            </fieldset>
          </li>
        )
      })}
    </ol>
  )
}
