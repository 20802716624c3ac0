import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Button } from '../../../components/Button.tsx'
import { ApiError, errorMessage, type FieldErrors } from '../../../lib/api.ts'
import { capitalize, formatRelative } from '../../../lib/format.ts'
import { adminApi, type Setting } from '../api.ts'

/** The editable text form of a typed value ("true", "42", pretty JSON). */
function toDraft(setting: Setting): string {
  const value = setting.value
  if (value === null || value === undefined) {
    return ''
  }
  if (setting.type === 'json' || setting.type === 'array') {
    return JSON.stringify(value, null, 2)
  }
  return String(value)
}

/** What PATCH gets: numbers and booleans typed, JSON parsed when it parses (else the server explains). */
function fromDraft(setting: Setting, draft: string): unknown {
  switch (setting.type) {
    case 'integer':
    case 'decimal':
      return draft.trim() === '' ? draft : Number(draft)
    case 'boolean':
      return draft === 'true'
    case 'json':
    case 'array':
      try {
        return JSON.parse(draft) as unknown
      } catch {
        return draft
      }
    default:
      return draft
  }
}

/**
 * One setting with an input that fits its type, an optional reason and its own Save:
 * the server's verdict (range, pattern, allowed values) appears under the input.
 */
export function SettingRow({ setting: initial, onSaved }: { setting: Setting; onSaved?: (updated: Setting) => void }) {
  const id = useId()
  const [setting, setSetting] = useState(initial)
  const formRef = useRef<HTMLFormElement>(null)
  const [draft, setDraft] = useState(toDraft(setting))
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [formError, setFormError] = useState<string | undefined>(undefined)
  const [saved, setSaved] = useState(false)
  // Bumped on each refused save; focusing after the render that shows the error (a frame
  // callback could run before React commits it and find nothing to focus).
  const [refusals, setRefusals] = useState(0)
  useEffect(() => {
    if (refusals > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]')?.focus()
  }, [refusals])
  const dirty = draft !== toDraft(setting)
  const inputId = `${id}-value`
  const valueError = errors.value
  const describedBy = [`${id}-description`, valueError ? `${id}-value-error` : undefined].filter(Boolean).join(' ')

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setErrors({})
    setFormError(undefined)
    setSaved(false)
    adminApi
      .updateSetting(setting.key, { value: fromDraft(setting, draft), ...(reason.trim() ? { reason: reason.trim() } : {}) })
      .then((updated) => {
        setSaved(true)
        setReason('')
        setSetting(updated)
        setDraft(toDraft(updated))
        onSaved?.(updated)
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.hasFieldErrors) {
          setErrors(error.fieldErrors)
          if (!error.fieldErrors.value && !error.fieldErrors.reason) {
            setFormError(error.message)
          }
        } else {
          // setting_readonly and friends name the setting, not a field: show them beside the input anyway.
          setErrors({ value: errorMessage(error) })
        }
        setRefusals((n) => n + 1)
      })
      .finally(() => setBusy(false))
  }

  let input
  if (setting.type === 'boolean') {
    input = (
      <div className="checkbox-row">
        <input
          id={inputId}
          type="checkbox"
          name="value"
          checked={draft === 'true'}
          onChange={(event) => setDraft(event.target.checked ? 'true' : 'false')}
          disabled={setting.isReadonly}
          aria-invalid={valueError ? true : undefined}
          aria-describedby={describedBy}
        />
        <label htmlFor={inputId}>Enabled</label>
      </div>
    )
  } else if (setting.allowedValues && setting.allowedValues.length > 0) {
    const options = setting.allowedValues.includes(draft) ? setting.allowedValues : [draft, ...setting.allowedValues]
    input = (
      <select id={inputId} name="value" value={draft} onChange={(event) => setDraft(event.target.value)} disabled={setting.isReadonly} aria-invalid={valueError ? true : undefined} aria-describedby={describedBy}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    )
  } else if (setting.type === 'json' || setting.type === 'array') {
    input = (
      <textarea id={inputId} name="value" rows={4} className="mono" value={draft} onChange={(event) => setDraft(event.target.value)} disabled={setting.isReadonly} aria-invalid={valueError ? true : undefined} aria-describedby={describedBy} />
    )
  } else {
    const numeric = setting.type === 'integer' || setting.type === 'decimal'
    input = (
      <input
        id={inputId}
        name="value"
        type={numeric ? 'number' : 'text'}
        step={setting.type === 'integer' ? 1 : numeric ? 'any' : undefined}
        min={setting.min ?? undefined}
        max={setting.max ?? undefined}
        inputMode={setting.type === 'integer' ? 'numeric' : numeric ? 'decimal' : undefined}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        disabled={setting.isReadonly}
        aria-invalid={valueError ? true : undefined}
        aria-describedby={describedBy}
      />
    )
  }

  const range = setting.min !== null || setting.max !== null ? `Range ${setting.min ?? '−∞'} – ${setting.max ?? '∞'}. ` : ''
  return (
    <form ref={formRef} className="setting" onSubmit={handleSubmit} noValidate>
      <div className="setting-info">
        <label htmlFor={inputId} id={`${id}-name`} className="setting-name">
          {setting.name}
        </label>
        <p className="setting-key mono small">{setting.key}</p>
        <p className="muted small" id={`${id}-description`}>
          {setting.description ? `${setting.description}. ` : ''}
          {range}Default: {String(setting.defaultValue ?? '—')}.
        </p>
        <p className="setting-badges">
          <span className="badge badge--muted">{capitalize(setting.type)}</span>
          {setting.isReadonly ? <span className="badge badge--warning">Read-only</span> : null}
          {setting.requiresRestart ? <span className="badge badge--warning">Needs restart</span> : null}
          {setting.isPublic ? <span className="badge">Public</span> : null}
        </p>
      </div>
      <div className="setting-edit">
        {input}
        {valueError ? (
          <p className="field-error" id={`${id}-value-error`}>
            {capitalize(valueError)}
          </p>
        ) : null}
        {setting.isReadonly || !(dirty || busy || errors.reason) ? null : (
          <div className="setting-save">
            <div className="field">
              <label htmlFor={`${id}-reason`} className="small">
                Reason for the change (optional)
              </label>
              <input
                id={`${id}-reason`}
                name="reason"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                maxLength={500}
                aria-invalid={errors.reason ? true : undefined}
                aria-describedby={errors.reason ? `${id}-reason-error` : undefined}
                placeholder="Kept in the audit log"
              />
              {errors.reason ? (
                <p className="field-error" id={`${id}-reason-error`}>
                  {capitalize(errors.reason)}
                </p>
              ) : null}
            </div>
            <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…" aria-label={`Save ${setting.name}`}>
              Save
            </Button>
            <Button variant="ghost" disabled={busy} onClick={() => { setDraft(toDraft(setting)); setErrors({}); setFormError(undefined) }} aria-label={`Undo the change to ${setting.name}`}>
              Undo
            </Button>
          </div>
        )}
        {formError ? (
          <p className="field-error" role="alert" tabIndex={-1}>
            {formError}
          </p>
        ) : null}
        <p className="muted small" role="status">
          {saved ? 'Saved.' : setting.lastModifiedReason ? `Last change ${formatRelative(setting.updatedAt)}: “${setting.lastModifiedReason}”` : ''}
        </p>
      </div>
    </form>
  )
}
