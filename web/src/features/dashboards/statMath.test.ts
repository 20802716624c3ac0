import { describe, expect, it } from 'vitest'
import { changePercent, formatChange, formatStat, statFigures, targetProgress, thresholdTone } from './statMath.ts'

const point = (t: string, value: number | null, group?: string) => ({ t, value, count: 1, min: value, max: value, ...(group === undefined ? {} : { group }) })

describe('statFigures', () => {
  it('takes the latest bucket and compares it with the one before', () => {
    const figures = statFigures('sum', [point('2026-01-01T00:00:00Z', 80), point('2026-01-02T00:00:00Z', 100), point('2026-01-03T00:00:00Z', 125)])
    expect(figures.value).toBe(125)
    expect(figures.previous).toBe(100)
    expect(figures.changePercent).toBe(25)
    expect(figures.trend).toEqual([80, 100, 125])
  })

  it('adds up the groups of a bucket, in time order whatever the point order', () => {
    const figures = statFigures('sum', [point('2026-01-02T00:00:00Z', 30, 'eu'), point('2026-01-01T00:00:00Z', 5, 'eu'), point('2026-01-02T00:00:00Z', 20, 'us'), point('2026-01-01T00:00:00Z', 5, 'us')])
    expect(figures.trend).toEqual([10, 50])
    expect(figures.changePercent).toBe(400)
  })

  it('has no change without a previous value or when it was zero', () => {
    expect(statFigures('sum', [point('2026-01-01T00:00:00Z', 3)]).changePercent).toBeNull()
    expect(changePercent(5, 0)).toBeNull()
    expect(changePercent(-5, -10)).toBe(50)
    expect(statFigures('sum', []).value).toBeNull()
  })
})

describe('thresholdTone', () => {
  it('colours high values when bad values are above', () => {
    const thresholds = { warning: 80, critical: 95 }
    expect(thresholdTone(50, thresholds)).toBe('ok')
    expect(thresholdTone(80, thresholds)).toBe('warning')
    expect(thresholdTone(99, thresholds)).toBe('critical')
  })

  it('colours low values when bad values are below, and stays neutral without thresholds', () => {
    const thresholds = { warning: 20, critical: 10, direction: 'below' as const }
    expect(thresholdTone(50, thresholds)).toBe('ok')
    expect(thresholdTone(15, thresholds)).toBe('warning')
    expect(thresholdTone(10, thresholds)).toBe('critical')
    expect(thresholdTone(10, undefined)).toBe('neutral')
    expect(thresholdTone(null, thresholds)).toBe('neutral')
  })
})

describe('stat formatting', () => {
  it('shows the change with its sign and the value with its unit', () => {
    expect(formatChange(12.345)).toBe('+12.3%')
    expect(formatChange(-4)).toBe('−4.0%')
    expect(formatChange(null)).toBe('no previous value')
    expect(formatStat(42, '%')).toBe('42%')
    expect(formatStat(null)).toBe('—')
    expect(targetProgress(50, 200)).toBe(25)
    expect(targetProgress(50, undefined)).toBeNull()
  })
})
