import { describe, expect, it } from 'vitest'
import { limitGroups, mergePoints, topGroups } from './top-groups.ts'

const T0 = '2026-01-01T00:00:00.000Z'
const T1 = '2026-01-01T01:00:00.000Z'
const p = (t: string, group: string | null, value: number | null, count: number, min: number | null = value, max: number | null = value) => ({ t, group, value, count, min, max })

describe(mergePoints.name, () => {
  it('adds sums and counts, combines min and max, weights avg by count', () => {
    const parts = [p(T0, 'a', 10, 2, 1, 9), p(T0, 'b', 4, 6, 0.5, 3)]
    expect(mergePoints('sum', parts)).toEqual({ value: 14, count: 8, min: 0.5, max: 9 })
    expect(mergePoints('count', parts)).toEqual({ value: 14, count: 8, min: 0.5, max: 9 })
    expect(mergePoints('min', parts)).toEqual({ value: 4, count: 8, min: 0.5, max: 9 })
    expect(mergePoints('max', parts)).toEqual({ value: 10, count: 8, min: 0.5, max: 9 })
    // (10 × 2 + 4 × 6) / 8, not the mean of the two averages (7).
    expect(mergePoints('avg', parts)).toEqual({ value: 5.5, count: 8, min: 0.5, max: 9 })
  })

  it('skips null values and keeps null when every part is null', () => {
    expect(mergePoints('sum', [p(T0, 'a', null, 0), p(T0, 'b', 3, 1)])).toEqual({ value: 3, count: 1, min: 3, max: 3 })
    expect(mergePoints('avg', [p(T0, 'a', null, 0, null, null)])).toEqual({ value: null, count: 0, min: null, max: null })
  })
})

describe(topGroups.name, () => {
  it('ranks sum by total value and avg by point count, never keeping the engine\'s "other"', () => {
    const points = [p(T0, 'small', 1, 50), p(T0, 'big', 100, 1), p(T1, 'small', 1, 50), p(T0, 'other', 1000, 999)]
    expect([...topGroups('sum', points, 1)]).toEqual(['big'])
    expect([...topGroups('avg', points, 1)]).toEqual(['small'])
    expect(topGroups('sum', points, 5).has('other')).toBe(false)
  })
})

describe(limitGroups.name, () => {
  it('keeps the top N groups and merges the rest into "other" per bucket', () => {
    const points = [
      p(T0, 'a', 10, 1), p(T0, 'b', 5, 1), p(T0, 'c', 1, 1), p(T0, 'd', 2, 1),
      p(T1, 'a', 10, 1), p(T1, 'c', 3, 1),
    ]
    expect(limitGroups('sum', points, 2).map((x) => [x.t, x.group, x.value, x.count])).toEqual([
      [T0, 'a', 10, 1],
      [T0, 'b', 5, 1],
      [T0, 'other', 3, 2],
      [T1, 'a', 10, 1],
      [T1, 'other', 3, 1],
    ])
  })

  it('folds the engine\'s own "other" into the merged one and keeps points without the dimension as a group', () => {
    const points = [p(T0, null, 7, 1), p(T0, 'a', 1, 1), p(T0, 'other', 4, 3)]
    expect(limitGroups('count', points, 1).map((x) => [x.group, x.value])).toEqual([[null, 7], ['other', 5]])
  })

  it('returns ungrouped or small series unchanged', () => {
    const ungrouped = [{ t: T0, value: 1, count: 1, min: 1, max: 1 }]
    expect(limitGroups('sum', ungrouped, 1)).toBe(ungrouped)
    const few = [p(T0, 'a', 1, 1), p(T0, 'b', 2, 1)]
    expect(limitGroups('sum', few, 10)).toEqual(few)
  })
})
