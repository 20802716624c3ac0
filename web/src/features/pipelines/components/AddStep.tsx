import { useState } from 'react'
import { Button } from '../../../components/Button.tsx'
import { SelectField } from '../../../components/Field.tsx'
import { STEP_KINDS, type StepKind } from '../mapping.ts'

/** Choose a kind of transformation and append it. */
export function AddStep({ onAdd }: { onAdd: (kind: StepKind) => void }) {
  const [kind, setKind] = useState<StepKind>('rename')
  return (
    <div className="form-inline">
      <SelectField label="New transformation" name="newStepKind" value={kind} onChange={(value) => setKind(value as StepKind)} options={STEP_KINDS} />
      <div className="form-inline-action">
        <Button variant="secondary" onClick={() => onAdd(kind)}>
          Add transformation
        </Button>
      </div>
    </div>
  )
}
