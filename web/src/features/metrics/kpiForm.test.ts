import { describe, expect, it } from 'vitest'
import { ApiError } from '../../lib/api.ts'
import { check } from '../../lib/validate.ts'
import type { Kpi } from './api.ts'
import { draftFromKpi, EMPTY_KPI, kpiInput, kpiRules, type KpiDraft } from './kpiForm.ts'

/** The field errors check() reports for a draft, as the form would show them. */
function errorsOf(change: Partial<KpiDraft>): Record<string, string> {
  try {
    check(kpiRules({ ...EMPTY_KPI, name: 'Orders', targetValue: '100', ...change }))
    return {}
  } catch (error) {
    return (error as ApiError).fieldErrors
  }
}

const kpi: Kpi = {
  id: 'k-1', metricId: 'm-1', name: 'Latency budget', description: null, targetValue: 10, targetMax: 20, targetType: 'range', timePeriod: 'weekly',
  alertRules: { attainmentPercent: 80, onCritical: true, notify: ['in_app'], escalateTo: 'ops' }, isActive: false, createdAt: '', updatedAt: '',
}

describe('kpiRules', () => {
  it('accepts a complete draft', () => {
    expect(errorsOf({})).toEqual({})
  })

  it('wants a name and a numeric target within numeric(15,4)', () => {
    expect(errorsOf({ name: '  ', targetValue: '' })).toEqual({ name: 'Enter a name', targetValue: 'Enter a target value' })
    expect(errorsOf({ targetValue: '12abc' })).toEqual({ targetValue: 'Enter a number' })
    expect(errorsOf({ targetValue: '100000000000' })).toEqual({ targetValue: 'Use at most 11 digits before the decimal point' })
    expect(errorsOf({ name: 'x'.repeat(256) })).toEqual({ name: 'Use at most 255 characters' })
  })

  it('wants both bounds of a range, the upper at least the lower', () => {
    expect(errorsOf({ targetType: 'range', targetValue: '', targetMax: '' })).toEqual({ targetValue: 'Enter the lower bound', targetMax: 'Enter the upper bound' })
    expect(errorsOf({ targetType: 'range', targetValue: '50', targetMax: '10' })).toEqual({ targetMax: 'Must be at least the lower bound' })
    expect(errorsOf({ targetType: 'range', targetValue: '10', targetMax: '10' })).toEqual({})
    // Only a range has an upper bound to check.
    expect(errorsOf({ targetType: 'minimum', targetMax: 'junk' })).toEqual({})
  })

  it('bounds the alert percentage and asks for a channel once a rule is set', () => {
    expect(errorsOf({ attainmentPercent: '0' })).toEqual({ 'alertRules.attainmentPercent': 'Use a percentage between 1 and 1000, or leave it empty' })
    expect(errorsOf({ attainmentPercent: '1001' })).toHaveProperty('alertRules.attainmentPercent')
    expect(errorsOf({ attainmentPercent: '80', notify: [] })).toEqual({ 'alertRules.notify': 'Choose at least one channel for the alerts' })
    expect(errorsOf({ onCritical: true, notify: [] })).toEqual({ 'alertRules.notify': 'Choose at least one channel for the alerts' })
    expect(errorsOf({ notify: [] })).toEqual({})
  })
})

describe('kpiInput', () => {
  it('sends numbers, drops the upper bound outside a range and writes the alert rules', () => {
    expect(kpiInput({ ...EMPTY_KPI, name: ' Orders ', targetValue: '1000', targetMax: '5', attainmentPercent: '', description: '  ' }, 'm-1')).toEqual({
      metricId: 'm-1', name: 'Orders', description: null, targetType: 'minimum', targetValue: 1000, targetMax: null, timePeriod: 'monthly', isActive: true,
      alertRules: { attainmentPercent: null, onCritical: false, notify: ['email'] },
    })
  })

  it('round-trips an existing KPI, keeping alert rule keys the form does not edit', () => {
    const draft = draftFromKpi(kpi)
    expect(draft).toMatchObject({ targetValue: '10', targetMax: '20', attainmentPercent: '80', onCritical: true, notify: ['in_app'], isActive: false })
    const { id: _id, createdAt: _c, updatedAt: _u, ...input } = kpi
    expect(kpiInput(draft, 'm-1')).toEqual(input)
  })
})
