import { SelectField, TextField } from '../../../components/Field.tsx'
import type { MappingDraft } from '../mapping.ts'
import { outputFields } from '../useMappingDraft.ts'

const HINT = 'Its value (ISO 8601, or epoch seconds or milliseconds) becomes the record time of the time series. None: the time the record arrived.'

/** Which output field holds the record time: a choice among the known fields, or free text when records pass through unmapped. */
export function TimestampField({ draft, onChange, error }: { draft: MappingDraft; onChange: (value: string) => void; error: string | undefined }) {
  const names = outputFields(draft)
  if (names.length === 0) {
    return <TextField label="Timestamp field (optional)" name="timestampField" value={draft.timestampField} onChange={onChange} error={error} spellCheck={false} autoComplete="off" hint={HINT} />
  }
  const current = draft.timestampField.trim()
  const options = [{ value: '', label: 'None: use the ingestion time' }, ...names.map((name) => ({ value: name, label: name }))]
  if (current !== '' && !names.includes(current)) {
    options.push({ value: current, label: `${current} (not an output field)` })
  }
  return <SelectField label="Timestamp field" name="timestampField" value={current} onChange={onChange} error={error} options={options} hint={HINT} />
}
