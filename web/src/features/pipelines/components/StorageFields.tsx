import { CheckboxField, TextField } from '../../../components/Field.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import type { PipelineDraft } from '../settings.ts'

/** Whether the records are stored, and for how long. A p2p pipeline never stores anything. */
export function StorageFields({ draft, set, errors }: { draft: PipelineDraft; set: (change: Partial<PipelineDraft>) => void; errors: FieldErrors }) {
  if (draft.type === 'p2p') {
    return <p className="muted">A pass-through pipeline forwards records to its sinks and stores nothing, so it has no retention.</p>
  }
  return (
    <div className="form-grid">
      <CheckboxField label="Store the records" name="persistData" checked={draft.persistData} onChange={(persistData) => set({ persistData })} error={errors.persistData} hint="Off: records only go to the sinks." />
      <TextField
        label="Retention (days)"
        name="retentionDays"
        value={draft.retentionDays}
        onChange={(retentionDays) => set({ retentionDays })}
        error={errors.retentionDays}
        inputMode="numeric"
        placeholder="keep"
        hint="Older rows are deleted. Empty: keep them."
      />
      <TextField
        label="Compress after (days)"
        name="compressAfterDays"
        value={draft.compressAfterDays}
        onChange={(compressAfterDays) => set({ compressAfterDays })}
        error={errors.compressAfterDays}
        inputMode="numeric"
        placeholder="7"
        hint="Days older than this are stored compressed (smaller, still readable). Empty: the default, 7."
      />
    </div>
  )
}
