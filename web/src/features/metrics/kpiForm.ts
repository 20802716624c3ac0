import type { Rule } from '../../lib/validate.ts'
import type { Kpi, KpiAlertRules, KpiChannel, KpiInput, TargetType, TimePeriod } from './api.ts'

/** The KPI form's state and rules, kept pure so they are tested without a browser. */

export interface KpiDraft {
  name: string
  description: string
  targetType: TargetType
  /** The target; for a range, its lower bound. */
  targetValue: string
  /** A range's upper bound. */
  targetMax: string
  timePeriod: TimePeriod
  isActive: boolean
  /** Percent of the target that triggers an alert; empty: no such rule. */
  attainmentPercent: string
  onCritical: boolean
  notify: KpiChannel[]
  /** Keys of alert_rules this form does not edit, sent back unchanged. */
  otherRules: Record<string, unknown>
}

export const EMPTY_KPI: KpiDraft = {
  name: '', description: '', targetType: 'minimum', targetValue: '', targetMax: '', timePeriod: 'monthly', isActive: true, attainmentPercent: '', onCritical: false, notify: ['email'], otherRules: {},
}

export const TARGET_TYPES: Array<{ value: TargetType; label: string }> = [
  { value: 'minimum', label: 'At least (minimum)' },
  { value: 'maximum', label: 'At most (maximum)' },
  { value: 'exact', label: 'Exactly' },
  { value: 'range', label: 'Between (range)' },
]

export const TIME_PERIODS: Array<{ value: TimePeriod; label: string }> = [
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly (Monday to Sunday)' },
  { value: 'monthly', label: 'Monthly' },
  { value: 'quarterly', label: 'Quarterly' },
]

export const CHANNELS: Array<{ value: KpiChannel; label: string }> = [
  { value: 'email', label: 'Email' },
  { value: 'in_app', label: 'In-app notification' },
]

/** numeric(15,4), as the server's Decimal schema bounds it. */
export const DECIMAL_LIMIT = 99_999_999_999.9999

const str = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value))
const isNumber = (text: string) => text.trim() !== '' && Number.isFinite(Number(text.trim()))
const inBounds = (text: string) => Math.abs(Number(text)) <= DECIMAL_LIMIT
const isChannel = (value: unknown): value is KpiChannel => CHANNELS.some((c) => c.value === value)

/** The form's state for an existing KPI. */
export function draftFromKpi(kpi: Kpi): KpiDraft {
  const { attainmentPercent, onCritical, notify, ...otherRules } = kpi.alertRules
  return {
    name: kpi.name,
    description: kpi.description ?? '',
    targetType: kpi.targetType,
    targetValue: str(kpi.targetValue),
    targetMax: str(kpi.targetMax),
    timePeriod: kpi.timePeriod,
    isActive: kpi.isActive,
    attainmentPercent: typeof attainmentPercent === 'number' ? String(attainmentPercent) : '',
    onCritical: onCritical === true,
    notify: Array.isArray(notify) ? notify.filter(isChannel) : [],
    otherRules,
  }
}

/** Whether any alert rule is set: then the server wants a channel. */
export function hasAlertRule(d: Pick<KpiDraft, 'attainmentPercent' | 'onCritical'>): boolean {
  return d.attainmentPercent.trim() !== '' || d.onCritical
}

/** The rules of CreateKpiBody and kpis.service.ts check(), keyed as the form names its inputs. */
export function kpiRules(d: KpiDraft): Rule[] {
  const lower = d.targetType === 'range' ? 'the lower bound' : 'a target value'
  const percent = Number(d.attainmentPercent)
  const rules: Rule[] = [
    ['name', d.name.trim() !== '', 'Enter a name'],
    ['name', d.name.length <= 255, 'Use at most 255 characters'],
    ['description', d.description.length <= 10_000, 'Use at most 10,000 characters'],
    ['targetValue', d.targetValue.trim() !== '', `Enter ${lower}`],
    ['targetValue', d.targetValue.trim() === '' || isNumber(d.targetValue), 'Enter a number'],
    ['targetValue', !isNumber(d.targetValue) || inBounds(d.targetValue), 'Use at most 11 digits before the decimal point'],
    ['alertRules.attainmentPercent', d.attainmentPercent.trim() === '' || (isNumber(d.attainmentPercent) && percent >= 1 && percent <= 1000), 'Use a percentage between 1 and 1000, or leave it empty'],
    ['alertRules.notify', !hasAlertRule(d) || d.notify.length > 0, 'Choose at least one channel for the alerts'],
  ]
  if (d.targetType === 'range') {
    rules.push(
      ['targetMax', d.targetMax.trim() !== '', 'Enter the upper bound'],
      ['targetMax', d.targetMax.trim() === '' || isNumber(d.targetMax), 'Enter a number'],
      ['targetMax', !isNumber(d.targetMax) || inBounds(d.targetMax), 'Use at most 11 digits before the decimal point'],
      ['targetMax', !isNumber(d.targetMax) || !isNumber(d.targetValue) || Number(d.targetMax) >= Number(d.targetValue), 'Must be at least the lower bound'],
    )
  }
  return rules
}

/** The request body (call after kpiRules passed). A range's upper bound only goes with a range. */
export function kpiInput(d: KpiDraft, metricId: string): KpiInput {
  const alertRules: KpiAlertRules = {
    ...d.otherRules,
    attainmentPercent: d.attainmentPercent.trim() === '' ? null : Number(d.attainmentPercent),
    onCritical: d.onCritical,
    notify: d.notify,
  }
  return {
    metricId,
    name: d.name.trim(),
    description: d.description.trim() === '' ? null : d.description,
    targetType: d.targetType,
    targetValue: Number(d.targetValue),
    targetMax: d.targetType === 'range' ? Number(d.targetMax) : null,
    timePeriod: d.timePeriod,
    alertRules,
    isActive: d.isActive,
  }
}
