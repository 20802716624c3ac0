import { describe, expect, it } from 'vitest'
import { attainment, combine, curlExample, periodRange, rangeFor, thresholdLevel } from './metricMath.ts'

const p = (value: number, count = 1, min = value, max = value) => ({ t: '2024-01-01T00:00:00Z', value, count, min, max })

describe('metric math', () => {
  it('combines buckets per aggregation, weighting averages by count', () => {
    const points = [p(10, 1, 10, 10), p(20, 3, 5, 40)]
    expect(combine(points, 'sum')).toBe(30)
    expect(combine(points, 'count')).toBe(4)
    expect(combine(points, 'min')).toBe(5)
    expect(combine(points, 'max')).toBe(40)
    expect(combine(points, 'avg')).toBe(17.5)
    expect(combine([], 'sum')).toBeNull()
  })

  it('finds the current period in local time', () => {
    const now = new Date(2024, 4, 15, 13, 30) // Wednesday 15 May 2024
    expect(periodRange('daily', now)).toEqual({ from: new Date(2024, 4, 15), to: new Date(2024, 4, 16) })
    expect(periodRange('weekly', now)).toEqual({ from: new Date(2024, 4, 13), to: new Date(2024, 4, 20) })
    expect(periodRange('monthly', now)).toEqual({ from: new Date(2024, 4, 1), to: new Date(2024, 5, 1) })
    expect(periodRange('quarterly', now)).toEqual({ from: new Date(2024, 3, 1), to: new Date(2024, 6, 1) })
    expect(rangeFor('24h', now).from.getTime()).toBe(now.getTime() - 86_400_000)
  })

  it('computes attainment per target type', () => {
    expect(attainment({ targetType: 'minimum', targetValue: 100, targetMax: null }, 80)).toMatchObject({ met: false, ratio: 0.8 })
    expect(attainment({ targetType: 'maximum', targetValue: 100, targetMax: null }, 80)).toMatchObject({ met: true })
    expect(attainment({ targetType: 'range', targetValue: 10, targetMax: 20, }, 25)).toMatchObject({ met: false, text: 'above the range 10–20' })
    expect(attainment({ targetType: 'exact', targetValue: 5, targetMax: null }, 5)).toMatchObject({ met: true, ratio: 1 })
    expect(attainment({ targetType: 'minimum', targetValue: 100, targetMax: null }, null)).toBeNull()
  })

  it('rates values against thresholds in either direction', () => {
    expect(thresholdLevel(15, { warning: 10, critical: 20 })).toBe('warning')
    expect(thresholdLevel(25, { warning: 10, critical: 20 })).toBe('critical')
    expect(thresholdLevel(5, { warning: 10, critical: 2, direction: 'below' })).toBe('warning')
    expect(thresholdLevel(5, {})).toBe('ok')
  })

  it('writes a curl example for the metric', () => {
    expect(curlExample('https://t.example', 'o1', 'm1', new Date('2024-01-01T00:00:00Z'))).toContain("https://t.example/api/v1/orgs/o1/metrics/m1/points")
  })
})
