import { describe, expect, it } from 'vitest'
import { previewBody, readState, writeState } from './exploreQuery.ts'

describe('Explore state', () => {
  it('survives the URL round trip, filters included', () => {
    const state = { ...readState(new URLSearchParams()), sourceId: 'm1', groupBy: 'store', aggregation: 'max', filters: [{ key: 'channel', value: 'web:eu' }], range: '7d', chart: 'bar_chart' as const }
    expect(readState(writeState(state))).toEqual(state)
  })

  it('falls back to sane defaults for unknown values', () => {
    expect(readState(new URLSearchParams('range=5y&chart=radar&source=sql'))).toMatchObject({ range: '24h', chart: 'line_chart', source: 'metric', bucket: 'auto' })
  })

  it('builds the widget data query: metric filters as an object, pipeline field, the range ending now', () => {
    const now = Date.parse('2026-03-01T12:00:00Z')
    const metric = previewBody({ ...readState(new URLSearchParams('id=m1&range=1h')), filters: [{ key: 'store', value: 'north' }, { key: ' ', value: 'x' }] }, now)
    expect(metric).toMatchObject({ dataQuery: { source: 'metric', metricId: 'm1', bucket: 'auto', filters: { store: 'north' } }, from: '2026-03-01T11:00:00.000Z', to: '2026-03-01T12:00:00.000Z' })
    expect(previewBody(readState(new URLSearchParams('source=pipeline&id=p1&field=amount&agg=sum')), now)).toMatchObject({ dataQuery: { source: 'pipeline', pipelineId: 'p1', field: 'amount', aggregation: 'sum' } })
    expect(previewBody(readState(new URLSearchParams()), now)).toBeUndefined()
  })
})
