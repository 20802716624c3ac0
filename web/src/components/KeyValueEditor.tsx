import { useId } from 'react'
import { capitalize } from '../lib/format.ts'
import { Button } from './Button.tsx'

export interface KeyValueRow {
  key: string
  value: string
  /** A secret the server keeps but never returns: an empty value keeps it. */
  saved?: boolean
}

/**
 * Editable name/value pairs (HTTP headers, say). Every input is labelled with its row
 * number for screen readers; the visible column headings cover sighted users.
 */
export function KeyValueEditor({
  legend,
  rows,
  onChange,
  keyLabel = 'Name',
  valueLabel = 'Value',
  addLabel = 'Add',
  hint,
  error,
}: {
  legend: string
  rows: KeyValueRow[]
  onChange: (rows: KeyValueRow[]) => void
  keyLabel?: string
  valueLabel?: string
  addLabel?: string
  hint?: string
  error?: string | undefined
}) {
  const id = useId()
  const update = (index: number, change: Partial<KeyValueRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)))
  const describedBy = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined

  return (
    <fieldset className={`fieldset kv-editor${error ? ' field--invalid' : ''}`} aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {rows.length > 0 ? (
        <div className="kv-head" aria-hidden="true">
          <span>{keyLabel}</span>
          <span>{valueLabel}</span>
        </div>
      ) : null}
      {rows.map((row, index) => (
        <div className="kv-row" key={index}>
          <label className="visually-hidden" htmlFor={`${id}-key-${index}`}>
            {`${keyLabel} ${index + 1}`}
          </label>
          <input id={`${id}-key-${index}`} value={row.key} onChange={(event) => update(index, { key: event.target.value })} autoComplete="off" spellCheck={false} />
          <label className="visually-hidden" htmlFor={`${id}-value-${index}`}>
            {`${valueLabel} ${index + 1}`}
          </label>
          <input
            id={`${id}-value-${index}`}
            value={row.value}
            onChange={(event) => update(index, { value: event.target.value })}
            placeholder={row.saved ? 'saved — leave empty to keep' : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          <Button variant="ghost" aria-label={`Remove row ${index + 1}${row.key ? ` (${row.key})` : ''}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
            Remove
          </Button>
        </div>
      ))}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {capitalize(error)}
        </p>
      ) : null}
      <div>
        <Button variant="secondary" onClick={() => onChange([...rows, { key: '', value: '' }])}>
          {addLabel}
        </Button>
      </div>
    </fieldset>
  )
}

/** Rows → object, skipping rows without a name. */
export function rowsToObject(rows: KeyValueRow[]): Record<string, string> {
  const result: Record<string, string> = {}
  for (const row of rows) {
    if (row.key.trim() !== '') {
      result[row.key.trim()] = row.value
    }
  }
  return result
}
