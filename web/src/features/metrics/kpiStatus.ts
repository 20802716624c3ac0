import { formatDate } from '../../lib/format.ts'
import type { Kpi, KpiChannel, TimePeriod } from './api.ts'
import { attainment, formatNumber } from './metricMath.ts'

/** How a KPI stands in its current period, in words and a colour (the words carry the meaning). */

export type KpiStatus = 'met' | 'off_target' | 'alert' | 'no_data'

export interface KpiState {
  status: KpiStatus
  label: string
  tone: 'success' | 'warning' | 'danger' | 'muted'
  /** Progress towards the target, in percent; null for a range (there is no one value to fill towards). */
  percent: number | null
  text: string
}

type KpiTarget = Pick<Kpi, 'targetType' | 'targetValue' | 'targetMax' | 'alertRules'>

/** "at least 1,000", "between 10 and 20". */
export function targetText(kpi: Pick<Kpi, 'targetType' | 'targetValue' | 'targetMax'>): string {
  const target = kpi.targetValue === null ? '—' : formatNumber(kpi.targetValue)
  switch (kpi.targetType) {
    case 'minimum':
      return `at least ${target}`
    case 'maximum':
      return `at most ${target}`
    case 'exact':
      return `exactly ${target}`
    case 'range':
      return `between ${target} and ${kpi.targetMax === null ? '—' : formatNumber(kpi.targetMax)}`
  }
}

const alertPercent = (kpi: Pick<Kpi, 'alertRules'>) => (typeof kpi.alertRules.attainmentPercent === 'number' ? kpi.alertRules.attainmentPercent : null)

/** The attainment rule: under X% of the target (a range: of its lower bound), or over X% of a maximum. */
export function attainmentRuleText(kpi: Pick<Kpi, 'targetType' | 'alertRules'>): string | null {
  const percent = alertPercent(kpi)
  if (percent === null) {
    return null
  }
  return kpi.targetType === 'maximum' ? `over ${percent}% of the maximum` : `under ${percent}% of the ${kpi.targetType === 'range' ? 'lower bound' : 'target'}`
}

function ruleFires(kpi: KpiTarget, value: number): boolean {
  const percent = alertPercent(kpi)
  if (percent === null || kpi.targetValue === null) {
    return false
  }
  const limit = (kpi.targetValue * percent) / 100
  return kpi.targetType === 'maximum' ? value > limit : value < limit
}

/**
 * The period's state. Alert: the KPI's attainment rule fires, or a maximum is passed (more
 * cannot bring it back). Off target: not met, no alert (a minimum still filling up, say).
 */
export function kpiState(kpi: KpiTarget, value: number | null): KpiState {
  const result = attainment(kpi, value)
  if (value === null || result === null) {
    return { status: 'no_data', label: 'No data', tone: 'muted', percent: null, text: kpi.targetValue === null ? 'This KPI has no target.' : 'No points in this period yet.' }
  }
  const percent = kpi.targetType === 'range' ? null : result.ratio * 100
  const fires = ruleFires(kpi, value)
  if (fires || (kpi.targetType === 'maximum' && !result.met)) {
    const rule = fires ? attainmentRuleText(kpi) : null
    return { status: 'alert', label: 'Alert', tone: 'danger', percent, text: rule ? `${result.text}: ${rule}` : result.text }
  }
  return result.met
    ? { status: 'met', label: 'On target', tone: 'success', percent, text: result.text }
    : { status: 'off_target', label: 'Off target', tone: 'warning', percent, text: result.text }
}

const CHANNEL_LABELS: Record<KpiChannel, string> = { email: 'email', in_app: 'in-app' }

/** "Under 80% of the target or when the metric is critical, by email and in-app"; "No alerts". */
export function alertsText(kpi: Pick<Kpi, 'targetType' | 'alertRules'>): string {
  const rules = [attainmentRuleText(kpi), kpi.alertRules.onCritical === true ? "when the metric's latest value is critical" : null].filter((rule): rule is string => rule !== null)
  if (rules.length === 0) {
    return 'No alerts'
  }
  const channels = (Array.isArray(kpi.alertRules.notify) ? kpi.alertRules.notify : []).map((c) => CHANNEL_LABELS[c] ?? String(c))
  const text = rules.join(' or ')
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}${channels.length > 0 ? `, by ${channels.join(' and ')}` : ''}`
}

/** The period's bounds as dates: one day, or its first and last day. */
export function periodText(period: TimePeriod, range: { from: Date; to: Date }): string {
  if (period === 'daily') {
    return formatDate(range.from)
  }
  return `${formatDate(range.from)} – ${formatDate(new Date(range.to.getTime() - 1))}`
}
