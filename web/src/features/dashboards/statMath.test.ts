import { describe, expect, it } from 'vitest'
import { changePercent, changeTone, formatChange, formatStat, periodLength, statFigures, targetProgress, thresholdTone } from './statMath.ts'

const point = (t: string, value: number | null, group?: string) => ({ t, value, count: 1, min: value, max: value, ...(group === undefined ? {} : { group }) })

describe('statFigures', () => {
  const day = { from: '2026-01-02T00:00:00.000Z', to: '2026-01-03T00:00:00.000Z', previousFrom: '2026-01-01T00:00:00.000Z', previousTo: '2026-01-02T00:00:00.000Z' }

  it("shows the comparison's value over the range against the period before it, and the range's buckets as the trend", () => {
    // A partly filled last bucket (5) no longer decides the figure: the whole range does.
    const figures = statFigures('sum', [point('2026-01-02T00:00:00Z', 80), point('2026-01-02T12:00:00Z', 100), point('2026-01-02T23:00:00Z', 5)], { value: 185, previous: 148, ...day })
    expect(figures.value).toBe(185)
    expect(figures.previous).toBe(148)
    expect(figures.changePercent).toBe(25)
    expect(figures.against).toBe('previous 24 h')
    expect(figures.trend).toEqual([80, 100, 5])
  })

  it('has no change when the period before had no data or was 0', () => {
    expect(statFigures('sum', [point('2026-01-02T00:00:00Z', 3)], { value: 3, previous: null, ...day })).toMatchObject({ value: 3, previous: null, changePercent: null })
    expect(statFigures('sum', [point('2026-01-02T00:00:00Z', 3)], { value: 3, previous: 0, ...day }).changePercent).toBeNull()
    expect(changePercent(5, 0)).toBeNull()
    expect(changePercent(-5, -10)).toBe(50)
  })

  it('without a comparison, aggregates the points over the range (avg weighted by count) and shows no change', () => {
    const weighted = [{ ...point('2026-01-01T00:00:00Z', 1), count: 1 }, { ...point('2026-01-01T01:00:00Z', 4), count: 3 }]
    expect(statFigures('avg', weighted)).toMatchObject({ value: 3.25, changePercent: null, against: 'previous period' })
    expect(statFigures('sum', [point('2026-01-01T00:00:00Z', 2), point('2026-01-01T01:00:00Z', 3)]).value).toBe(5)
    expect(statFigures('max', [point('2026-01-01T00:00:00Z', 2), point('2026-01-01T01:00:00Z', 3)]).value).toBe(3)
    expect(statFigures('sum', []).value).toBeNull()
  })

  it('adds up the groups of a bucket, in time order whatever the point order', () => {
    const figures = statFigures('sum', [point('2026-01-02T00:00:00Z', 30, 'eu'), point('2026-01-01T00:00:00Z', 5, 'eu'), point('2026-01-02T00:00:00Z', 20, 'us'), point('2026-01-01T00:00:00Z', 5, 'us')])
    expect(figures.trend).toEqual([10, 50])
    expect(figures.value).toBe(60)
  })
})

describe('periodLength', () => {
  it('says the length of a range the way a person does', () => {
    const minutes = (n: number) => n * 60_000
    expect([15, 60, 150, 360, 1440, 2160, 10080, 43200, 3060].map((n) => periodLength(minutes(n)))).toEqual(['15 min', '1 h', '2 h 30 min', '6 h', '24 h', '36 h', '7 d', '30 d', '2 d 3 h'])
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
    expect(formatChange(null)).toBe('—')
    expect(formatStat(42, '%')).toBe('42%')
    expect(formatStat(null)).toBe('—')
    expect(targetProgress(50, 200)).toBe(25)
    expect(targetProgress(50, undefined)).toBeNull()
  })
})

describe('changeTone', () => {
  it('calls a rise good news unless the thresholds say high values are bad', () => {
    expect(changeTone(5, undefined)).toBe('good')
    expect(changeTone(-5, undefined)).toBe('bad')
    expect(changeTone(5, { warning: 2, critical: 3 })).toBe('bad')
    expect(changeTone(-5, { warning: 2 })).toBe('good')
    expect(changeTone(5, { warning: 2, direction: 'below' })).toBe('good')
    expect(changeTone(0, { warning: 2 })).toBe('flat')
    expect(changeTone(null, undefined)).toBe('flat')
  })
})
