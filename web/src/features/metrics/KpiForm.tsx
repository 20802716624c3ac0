import { useId, useRef, useState } from 'react'
import { Button } from '../../components/Button.tsx'
import { CheckboxField, SelectField, TextField } from '../../components/Field.tsx'
import { Form, FormActions } from '../../components/Form.tsx'
import { TextAreaField } from '../../components/TextAreaField.tsx'
import { keyedByPath } from '../../lib/fieldPaths.ts'
import { capitalize } from '../../lib/format.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check } from '../../lib/validate.ts'
import { kpisApi, type Kpi, type KpiChannel, type Metric, type TargetType, type TimePeriod } from './api.ts'
import { CHANNELS, draftFromKpi, EMPTY_KPI, hasAlertRule, kpiInput, kpiRules, TARGET_TYPES, TIME_PERIODS, type KpiDraft } from './kpiForm.ts'

const TARGET_HINTS: Record<TargetType, string> = {
  minimum: "Met when the period's value reaches the target.",
  maximum: "Met while the period's value stays at or under the target.",
  exact: "Met when the period's value equals the target.",
  range: "Met while the period's value is between the bounds (inclusive).",
}

/** Adds a KPI to `metric`, or edits `existing`. Checks the fields as the server does, then shows the server's own errors by their fields. */
export function KpiForm({ orgId, metric, existing, onSaved, onCancel }: { orgId: string; metric: Metric; existing?: Kpi; onSaved: (kpi: Kpi) => void; onCancel?: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const idPrefix = useId()
  const [draft, setDraft] = useState<KpiDraft>(() => (existing ? draftFromKpi(existing) : EMPTY_KPI))
  const set = (change: Partial<KpiDraft>) => setDraft((current) => ({ ...current, ...change }))

  const { busy, formError, fieldErrors: e, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check(kpiRules(draft))
      const body = kpiInput(draft, metric.id)
      const saved = await keyedByPath(() => (existing ? kpisApi.update(orgId, existing.id, body) : kpisApi.create(orgId, body)))
      if (!existing) {
        setDraft(EMPTY_KPI)
      }
      onSaved(saved)
    },
    { knownFields: ['alertRules.notify'] },
  )

  const range = draft.targetType === 'range'
  const unit = metric.unit ? ` (${metric.unit})` : ''
  const critical = metric.thresholds.critical
  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label={existing ? `Edit KPI ${existing.name}` : 'Add a KPI'}>
      <div className="form-grid">
        <TextField label="Name" id={`${idPrefix}-name`} name="name" value={draft.name} onChange={(name) => set({ name })} error={e.name} autoComplete="off" placeholder="Monthly revenue" />
        <SelectField label="Period" id={`${idPrefix}-period`} name="timePeriod" value={draft.timePeriod} onChange={(timePeriod) => set({ timePeriod: timePeriod as TimePeriod })} error={e.timePeriod} options={TIME_PERIODS} hint="Attainment is measured over the current period, in your time zone." />
      </div>
      <div className="form-grid">
        <SelectField label="Target type" id={`${idPrefix}-type`} name="targetType" value={draft.targetType} onChange={(targetType) => set({ targetType: targetType as TargetType })} error={e.targetType} options={TARGET_TYPES} hint={TARGET_HINTS[draft.targetType]} />
        <TextField label={range ? `Lower bound${unit}` : `Target value${unit}`} id={`${idPrefix}-target`} name="targetValue" value={draft.targetValue} onChange={(targetValue) => set({ targetValue })} error={e.targetValue} inputMode="decimal" autoComplete="off" />
        {range ? <TextField label={`Upper bound${unit}`} id={`${idPrefix}-max`} name="targetMax" value={draft.targetMax} onChange={(targetMax) => set({ targetMax })} error={e.targetMax} inputMode="decimal" autoComplete="off" /> : null}
      </div>
      <TextAreaField label="Description (optional)" id={`${idPrefix}-description`} name="description" value={draft.description} onChange={(description) => set({ description })} error={e.description} rows={2} />
      <fieldset className="fieldset kpi-alerts">
        <legend>Alerts</legend>
        <div className="form-grid">
          <TextField
            label={draft.targetType === 'maximum' ? 'Alert above (% of the maximum)' : `Alert below (% of the ${range ? 'lower bound' : 'target'})`}
            id={`${idPrefix}-percent`}
            name="alertRules.attainmentPercent"
            value={draft.attainmentPercent}
            onChange={(attainmentPercent) => set({ attainmentPercent })}
            error={e['alertRules.attainmentPercent']}
            inputMode="decimal"
            autoComplete="off"
            placeholder={draft.targetType === 'maximum' ? '90' : '80'}
            hint="Leave empty for no attainment alert."
          />
          <CheckboxField
            label="Alert when the metric is critical"
            id={`${idPrefix}-critical`}
            name="alertRules.onCritical"
            checked={draft.onCritical}
            onChange={(onCritical) => set({ onCritical })}
            disabled={critical == null && !draft.onCritical}
            hint={critical == null ? 'This metric has no critical threshold; set one by editing the metric.' : `When its latest value crosses the critical threshold (${critical}).`}
          />
        </div>
        <Channels idPrefix={idPrefix} value={draft.notify} onChange={(notify) => set({ notify })} error={e['alertRules.notify']} required={hasAlertRule(draft)} />
      </fieldset>
      <CheckboxField label="Active" id={`${idPrefix}-active`} name="isActive" checked={draft.isActive} onChange={(isActive) => set({ isActive })} hint="An inactive KPI is kept, shown greyed out and never alerts." />
      <FormActions busy={busy} busyLabel="Saving…" submitLabel={existing ? 'Save KPI' : 'Add KPI'}>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </FormActions>
    </Form>
  )
}

/** The channels as checkboxes in one group; its error sits under the group, the first box carries aria-invalid for focus. */
function Channels({ idPrefix, value, onChange, error, required }: { idPrefix: string; value: KpiChannel[]; onChange: (value: KpiChannel[]) => void; error: string | undefined; required: boolean }) {
  const errorId = `${idPrefix}-notify-error`
  const toggle = (channel: KpiChannel, on: boolean) => onChange(on ? [...value.filter((c) => c !== channel), channel] : value.filter((c) => c !== channel))
  return (
    <fieldset className={`fieldset${error ? ' field--invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>Notify by{required ? '' : ' (when a rule is set)'}</legend>
      <div className="inline-actions">
        {CHANNELS.map((channel, index) => (
          <div className="checkbox-row" key={channel.value}>
            <input
              type="checkbox"
              id={`${idPrefix}-notify-${channel.value}`}
              name="alertRules.notify"
              value={channel.value}
              checked={value.includes(channel.value)}
              onChange={(event) => toggle(channel.value, event.target.checked)}
              aria-invalid={error && index === 0 ? true : undefined}
            />
            <label htmlFor={`${idPrefix}-notify-${channel.value}`}>{channel.label}</label>
          </div>
        ))}
      </div>
      {error ? (
        <p className="field-error" id={errorId}>
          {capitalize(error)}
        </p>
      ) : null}
    </fieldset>
  )
}
