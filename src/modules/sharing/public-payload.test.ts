import { describe, expect, it } from 'vitest'
import { displayOf, publicWidgetError, resolveRange, savedRange, stringFilters, toPublicData } from './public-payload.ts'

describe(displayOf.name, () => {
  it('keeps listed options of the expected type and drops everything else', () => {
    const config = {
      unit: 'ms',
      decimals: 2,
      stacked: 'yes',
      colors: ['#aabbcc', 'red'],
      thresholds: { warning: 5, critical: 'x', direction: 'below', note: 'x' },
      pageSize: 0,
      yColumns: ['a', 'b'],
      metricId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      password: 'hunter2',
      nested: { unit: 'x' },
    }
    expect(displayOf('table', config)).toEqual({ unit: 'ms', decimals: 2, thresholds: { warning: 5, direction: 'below' }, yColumns: ['a', 'b'] })
  })

  it("shares the dimension a metric or pipeline chart is grouped by, and nothing else of its query", () => {
    const metricId = '0f8fad5b-d9cb-469f-a165-70867728950e'
    expect(displayOf('bar_chart', {}, { source: 'metric', metricId, groupBy: 'region', filters: { plan: 'pro' } })).toEqual({ groupBy: 'region' })
    expect(displayOf('bar_chart', {}, { source: 'query', queryId: metricId, groupBy: 'x' })).toEqual({})
    expect(displayOf('line_chart', {}, null)).toEqual({})
  })

  it('shares markdown only for text widgets and http(s) urls only for image widgets', () => {
    expect(displayOf('text', { markdown: '# Hi', url: 'https://example.com/a.png' })).toEqual({ markdown: '# Hi' })
    expect(displayOf('image', { url: 'https://example.com/a.png', alt: 'A', markdown: '# Hi' })).toEqual({ url: 'https://example.com/a.png', alt: 'A' })
    for (const url of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'not a url']) {
      expect(displayOf('image', { url }), url).toEqual({})
    }
  })
})

describe(savedRange.name, () => {
  it('reads layout.range, relative or absolute, and falls back to the last 24 hours', () => {
    expect(savedRange({ range: { relative: '7d' } })).toEqual({ relative: '7d' })
    expect(savedRange({ range: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } })).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' })
    for (const layout of [null, {}, { range: 'yesterday' }, { range: { relative: '7y' } }, { range: { relative: '0h' } }, { range: { relative: '9999w' } }, { range: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' } }]) {
      expect(savedRange(layout), JSON.stringify(layout)).toEqual({ relative: '24h' })
    }
  })

  it('resolves a relative range to the instants before now', () => {
    const now = new Date('2026-03-01T12:00:00.000Z')
    expect(resolveRange({ relative: '90m' }, now)).toEqual({ from: '2026-03-01T10:30:00.000Z', to: '2026-03-01T12:00:00.000Z' })
  })
})

describe(stringFilters.name, () => {
  it('keeps string-valued dimension filters only', () => {
    expect(stringFilters({ region: 'eu', n: 3, list: ['a'], '': 'x' })).toEqual({ region: 'eu' })
    expect(stringFilters(['eu'])).toEqual({})
  })
})

describe(publicWidgetError.name, () => {
  it('keeps the message of errors about the viewer input and hides the others', () => {
    expect(publicWidgetError({ code: 'invalid_time_range', message: 'from must be before to' })).toEqual({ code: 'invalid_time_range', message: 'from must be before to' })
    expect(publicWidgetError({ code: 'query_failed', message: 'relation "secret_table" does not exist' })).toEqual({ code: 'query_failed', message: 'This widget has no data to show right now' })
  })
})

describe(toPublicData.name, () => {
  const series = { bucket: '1h', agg: 'sum', asOf: '2026-03-01T12:00:00.000Z', source: 'raw', cache: 'miss', points: [{ t: '2026-03-01T11:00:00.000Z', value: 5, count: 2, min: 2, max: 3 }] }
  const instants = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', previousFrom: '2026-02-28T00:00:00.000Z', previousTo: '2026-03-01T00:00:00.000Z' }
  const data = (item: Record<string, unknown>) => ({ asOf: series.asOf, from: instants.from, to: instants.to, widgets: [{ id: 'a', status: 'ok', series, ...item }] })

  it("shares a stat card's comparison field by field, and nothing of the series beyond its listed fields", () => {
    const shared = toPublicData(data({ comparison: { value: 5, previous: null, ...instants, metricId: 'x' } }), new Map([['a', 'w1']]))
    expect(shared.widgets).toEqual([{ key: 'w1', status: 'ok', series: { bucket: '1h', agg: 'sum', asOf: series.asOf, points: series.points }, comparison: { value: 5, previous: null, ...instants } }])
  })

  it('leaves out a comparison that lacks its instants', () => {
    const shared = toPublicData(data({ comparison: { value: 5, previous: 4, from: instants.from } }), new Map([['a', 'w1']]))
    expect(shared.widgets[0]).not.toHaveProperty('comparison')
  })
})
