import { useCallback, useState } from 'react'
import { emptyField, emptyStep, type FieldRow, type MappingDraft, type MappingErrors, type StepKind, type StepRow } from './mapping.ts'

function move<T>(list: T[], index: number, by: -1 | 1): T[] {
  const target = index + by
  if (target < 0 || target >= list.length) {
    return list
  }
  const copy = [...list]
  const [item] = copy.splice(index, 1)
  copy.splice(target, 0, item as T)
  return copy
}

/**
 * The mapping being edited and its errors. Errors are keyed by position ("mappings[2].field"),
 * so adding, removing or moving rows clears them; typing keeps them until the next check.
 */
export function useMappingDraft(initial: MappingDraft) {
  const [draft, setDraft] = useState(initial)
  const [errors, setErrors] = useState<MappingErrors>({})
  const [dirty, setDirty] = useState(false)

  const change = useCallback((update: (draft: MappingDraft) => MappingDraft, structural = false) => {
    setDraft(update)
    setDirty(true)
    if (structural) {
      setErrors({})
    }
  }, [])

  return {
    draft,
    errors,
    dirty,
    setErrors,
    markSaved: (saved: MappingDraft) => {
      setDraft(saved)
      setDirty(false)
    },
    updateField: (index: number, patch: Partial<FieldRow>) => change((d) => ({ ...d, fields: d.fields.map((row, i) => (i === index ? { ...row, ...patch } : row)) })),
    addField: (row: FieldRow = emptyField()) => change((d) => ({ ...d, fields: [...d.fields, row] }), true),
    addFields: (rows: FieldRow[]) => change((d) => ({ ...d, fields: [...d.fields, ...rows] }), true),
    removeField: (index: number) => change((d) => ({ ...d, fields: d.fields.filter((_, i) => i !== index) }), true),
    updateStep: (index: number, patch: Partial<StepRow>) => change((d) => ({ ...d, steps: d.steps.map((row, i) => (i === index ? { ...row, ...patch } : row)) })),
    addStep: (kind: StepKind) => change((d) => ({ ...d, steps: [...d.steps, emptyStep(kind)] }), true),
    removeStep: (index: number) => change((d) => ({ ...d, steps: d.steps.filter((_, i) => i !== index) }), true),
    moveStep: (index: number, by: -1 | 1) => change((d) => ({ ...d, steps: move(d.steps, index, by) }), true),
    setTimestampField: (timestampField: string) => change((d) => ({ ...d, timestampField })),
  }
}

/** Output field names known after all steps, for the timestamp field choice. */
export function outputFields(draft: MappingDraft): string[] {
  const names = new Set(draft.fields.map((row) => row.field.trim()).filter(Boolean))
  for (const step of draft.steps) {
    if (step.kind === 'rename' && step.from.trim()) {
      names.delete(step.from.trim())
      if (step.to.trim()) {
        names.add(step.to.trim())
      }
    } else if ((step.kind === 'default' || step.kind === 'compute') && step.field.trim()) {
      names.add(step.field.trim())
    }
  }
  return [...names]
}
