import { describe, expect, it } from 'vitest'
import { chartOption, combine, type SeriesAnswer } from './chartOption.ts'

const answer = (points: SeriesAnswer['points'], agg = 'sum'): SeriesAnswer => ({ bucket: '1h', agg, source: 'rollup', asOf: '2026-01-01T00:00:00Z', points })

describe('chartOption', () => {
  it('draws one line per group, and a single unnamed line without groupBy', () => {
    const grouped = chartOption('line_chart', answer([
      { t: '2026-01-01T00:00:00Z', value: 1, count: 1, min: 1, max: 1, group: 'web' },
      { t: '2026-01-01T00:00:00Z', value: 2, count: 1, min: 2, max: 2, group: null },
      { t: '2026-01-01T01:00:00Z', value: 3, count: 1, min: 3, max: 3, group: 'web' },
    ]))
    expect((grouped.series as Array<{ name: string; data: unknown[] }>).map((s) => [s.name, s.data])).toEqual([
      ['web', [['2026-01-01T00:00:00Z', 1], ['2026-01-01T01:00:00Z', 3]]],
      ['(none)', [['2026-01-01T00:00:00Z', 2]]],
    ])
    const single = chartOption('area_chart', answer([{ t: '2026-01-01T00:00:00Z', value: 5, count: 2, min: 1, max: 4 }]))
    expect(single.legend).toEqual({ show: false })
    expect((single.series as Array<{ areaStyle?: unknown }>)[0]!.areaStyle).toEqual({})
  })

  it('stacks bars when asked, and turns groups into pie slices with the query aggregation', () => {
    const points = [
      { t: 'a', value: 4, count: 2, min: 1, max: 3, group: 'north' },
      { t: 'b', value: 1, count: 6, min: 1, max: 1, group: 'north' },
      { t: 'a', value: 2, count: 1, min: 2, max: 2, group: 'south' },
    ]
    const bars = chartOption('bar_chart', answer(points), { stacked: true })
    expect((bars.series as Array<{ type: string; stack?: string }>).every((s) => s.type === 'bar' && s.stack === 'total')).toBe(true)
    const pie = chartOption('pie_chart', answer(points, 'avg'))
    expect((pie.series as Array<{ data: unknown }>)[0]!.data).toEqual([{ name: 'north', value: (4 * 2 + 1 * 6) / 8 }, { name: 'south', value: 2 }])
  })

  it('combines buckets per aggregation and gives null for a group without values', () => {
    const points = [{ t: 'a', value: 2, count: 1, min: 2, max: 2 }, { t: 'b', value: 5, count: 3, min: 1, max: 9 }]
    expect([combine('sum', points), combine('count', points), combine('min', points), combine('max', points)]).toEqual([7, 7, 2, 5])
    expect(combine('sum', [{ t: 'a', value: null, count: 0, min: null, max: null }])).toBeNull()
  })
})
