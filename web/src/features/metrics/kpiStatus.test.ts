import { describe, expect, it } from 'vitest'
import { formatDate } from '../../lib/format.ts'
import type { Kpi } from './api.ts'
import { alertsText, kpiState, periodText, targetText } from './kpiStatus.ts'

const kpi = (change: Partial<Kpi>): Kpi => ({
  id: 'k', metricId: 'm', name: 'K', description: null, targetValue: 100, targetMax: null, targetType: 'minimum', timePeriod: 'daily', alertRules: {}, isActive: true, createdAt: '', updatedAt: '', ...change,
})

describe('kpiState', () => {
  it('is on target when met, off target when not yet, and without data when the period has no points', () => {
    expect(kpiState(kpi({}), 120)).toMatchObject({ status: 'met', tone: 'success', percent: 120 })
    expect(kpiState(kpi({}), 60)).toMatchObject({ status: 'off_target', tone: 'warning', percent: 60, text: '60% of the minimum 100' })
    expect(kpiState(kpi({}), null)).toMatchObject({ status: 'no_data', tone: 'muted', percent: null })
  })

  it('alerts under the alert percentage of a minimum, and over that of a maximum', () => {
    const minimum = kpi({ alertRules: { attainmentPercent: 80, notify: ['email'] } })
    expect(kpiState(minimum, 79)).toMatchObject({ status: 'alert', tone: 'danger', text: '79% of the minimum 100: under 80% of the target' })
    expect(kpiState(minimum, 80)).toMatchObject({ status: 'off_target' })
    const maximum = kpi({ targetType: 'maximum', alertRules: { attainmentPercent: 90, notify: ['email'] } })
    expect(kpiState(maximum, 95)).toMatchObject({ status: 'alert', text: '95% of the maximum 100: over 90% of the maximum' })
    expect(kpiState(maximum, 50)).toMatchObject({ status: 'met' })
  })

  it('alerts once a maximum is passed, rule or not, and has no progress for a range', () => {
    expect(kpiState(kpi({ targetType: 'maximum' }), 101)).toMatchObject({ status: 'alert', text: 'over the maximum 100' })
    expect(kpiState(kpi({ targetType: 'range', targetValue: 10, targetMax: 20 }), 15)).toMatchObject({ status: 'met', percent: null, text: 'within 10–20' })
    expect(kpiState(kpi({ targetType: 'range', targetValue: 10, targetMax: 20, alertRules: { attainmentPercent: 50 } }), 4)).toMatchObject({ status: 'alert', text: 'below the range 10–20: under 50% of the lower bound' })
  })
})

describe('KPI texts', () => {
  it('says the target, the alerts and the period in words', () => {
    expect(targetText(kpi({}))).toBe('at least 100')
    expect(targetText(kpi({ targetType: 'range', targetValue: 1500.5, targetMax: 2000 }))).toBe(`between ${(1500.5).toLocaleString()} and ${(2000).toLocaleString()}`)
    expect(alertsText(kpi({}))).toBe('No alerts')
    expect(alertsText(kpi({ alertRules: { attainmentPercent: 80, onCritical: true, notify: ['email', 'in_app'] } }))).toBe(
      "Under 80% of the target or when the metric's latest value is critical, by email and in-app",
    )
    const may = { from: new Date(2024, 4, 1), to: new Date(2024, 5, 1) }
    expect(periodText('monthly', may)).toBe(`${formatDate(new Date(2024, 4, 1))} – ${formatDate(new Date(2024, 4, 31))}`)
    expect(periodText('daily', { from: new Date(2024, 4, 15), to: new Date(2024, 4, 16) })).toBe(formatDate(new Date(2024, 4, 15)))
  })
})
