import { Button } from '../../../components/Button.tsx'
import { SelectField, TextField } from '../../../components/Field.tsx'
import type { CastErrorMode, FieldType } from '../api.ts'
import { CAST_MODES, FIELD_TYPES, STEP_KINDS, type MappingErrors, type StepRow } from '../mapping.ts'

const TYPE_OPTIONS = FIELD_TYPES.map((type) => ({ value: type, label: type }))
/** The expression language of compute and filter steps (src/modules/mappings/expression.parser.ts), once per page. */
export function ExpressionHelp() {
  return (
    <details className="expression-help">
      <summary>Expression syntax</summary>
      <p className="small">
        Fields by name: <code>price</code>, <code>user.name</code>, <code>`odd key`</code>. Literals: <code>12.5</code>, <code>'text'</code>, <code>true</code>, <code>null</code>. Operators: <code>+ - * / %</code>,{' '}
        <code>{'== != < <= > >='}</code>, <code>{'&& || !'}</code>, <code>a ? b : c</code>. Functions: lower, upper, trim, length, concat, coalesce, round, floor, ceil, abs, min, max, now, contains, startsWith, endsWith, toNumber,
        toString, dateTrunc('hour', time).
      </p>
    </details>
  )
}

function StepFields({ row, at, onChange, errors }: { row: StepRow; at: string; onChange: (change: Partial<StepRow>) => void; errors: MappingErrors }) {
  const field = <TextField label="Field" name={`${at}.field`} value={row.field} onChange={(value) => onChange({ field: value })} error={errors[`${at}.field`]} spellCheck={false} autoComplete="off" />
  switch (row.kind) {
    case 'rename':
      return (
        <>
          <TextField label="From field" name={`${at}.from`} value={row.from} onChange={(from) => onChange({ from })} error={errors[`${at}.from`]} spellCheck={false} autoComplete="off" />
          <TextField label="To field" name={`${at}.to`} value={row.to} onChange={(to) => onChange({ to })} error={errors[`${at}.to`]} spellCheck={false} autoComplete="off" />
        </>
      )
    case 'cast':
      return (
        <>
          {field}
          <SelectField label="Cast to" name={`${at}.to`} value={row.castTo} onChange={(castTo) => onChange({ castTo: castTo as FieldType })} error={errors[`${at}.to`]} options={TYPE_OPTIONS} />
          <SelectField label="If the cast fails" name={`${at}.onError`} value={row.onError} onChange={(onError) => onChange({ onError: onError as CastErrorMode })} error={errors[`${at}.onError`]} options={CAST_MODES} />
          <TextField label="Default (optional)" name={`${at}.default`} value={row.defaultValue} onChange={(defaultValue) => onChange({ defaultValue })} error={errors[`${at}.default`]} className="mono-input" placeholder="JSON or text" />
        </>
      )
    case 'default':
      return (
        <>
          {field}
          <TextField label="Value" name={`${at}.value`} value={row.defaultValue} onChange={(defaultValue) => onChange({ defaultValue })} error={errors[`${at}.value`]} className="mono-input" placeholder="JSON or text; empty = null" hint="Set when the field is missing or null." />
        </>
      )
    case 'compute':
      return (
        <>
          {field}
          <TextField label="Expression" name={`${at}.expression`} value={row.expression} onChange={(expression) => onChange({ expression })} error={errors[`${at}.expression`]} className="mono-input grow" spellCheck={false} autoComplete="off" placeholder="round(price * quantity, 2)" />
        </>
      )
    case 'filter':
      return (
        <TextField label="Keep records where" name={`${at}.expression`} value={row.expression} onChange={(expression) => onChange({ expression })} error={errors[`${at}.expression`]} className="mono-input grow" spellCheck={false} autoComplete="off" placeholder="status != 'test' && amount > 0" hint="Other records are dropped and counted as filtered." />
      )
  }
}

/** The transformations, run in order on each output row; each can move up or down. */
export function TransformationRows({
  rows,
  onChange,
  onRemove,
  onMove,
  errors,
}: {
  rows: StepRow[]
  onChange: (index: number, change: Partial<StepRow>) => void
  onRemove: (index: number) => void
  onMove: (index: number, by: -1 | 1) => void
  errors: MappingErrors
}) {
  return (
    <ol className="mapping-rows">
      {rows.map((row, i) => {
        const at = `transformations[${i}]`
        const title = `Step ${i + 1}: ${STEP_KINDS.find((kind) => kind.value === row.kind)?.label ?? row.kind}`
        return (
          <li key={row.key}>
            <fieldset className="mapping-row">
              <legend className="mapping-row-title">{title}</legend>
              <div className="mapping-row-grid">
                <StepFields row={row} at={at} onChange={(change) => onChange(i, change)} errors={errors} />
              </div>
              {errors[`${at}.kind`] ? <p className="field-error">{errors[`${at}.kind`]}</p> : null}
              <div className="mapping-row-footer">
                <Button variant="ghost" aria-label={`Move step ${i + 1} up`} disabled={i === 0} onClick={() => onMove(i, -1)}>
                  ↑ Up
                </Button>
                <Button variant="ghost" aria-label={`Move step ${i + 1} down`} disabled={i === rows.length - 1} onClick={() => onMove(i, 1)}>
                  ↓ Down
                </Button>
                <Button variant="ghost" className="btn--danger-text" aria-label={`Remove step ${i + 1}`} onClick={() => onRemove(i)}>
                  Remove
                </Button>
              </div>
            </fieldset>
          </li>
        )
      })}
    </ol>
  )
}
