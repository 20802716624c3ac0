import { describe, expect, it } from 'vitest'
import { toBody } from './PageMetricForm.tsx'

describe('metric form body', () => {
  it('sends only the fields of the chosen source, parsing dimensions, thresholds and tags', () => {
    const base = { name: 'n', displayName: 'N', description: '', unit: 'count', aggregationType: 'sum', pipelineId: 'p', valuePath: '$.a', dimensionPaths: 'region=$.r\n\nbad', dataSourceId: 'd', calculationMethod: 'select 1 as value', refreshFrequency: '60', warning: '5', critical: '', direction: 'above' as const, tags: 'a, b,' }
    const pipeline = toBody({ ...base, source: 'pipeline' })
    expect(pipeline).toMatchObject({ pipelineId: 'p', valuePath: '$.a', dimensionPaths: { region: '$.r' }, thresholds: { warning: 5, critical: null }, tags: ['a', 'b'] })
    expect(pipeline).not.toHaveProperty('calculationMethod')
    const calc = toBody({ ...base, source: 'data_source' })
    expect(calc).toMatchObject({ dataSourceId: 'd', refreshFrequency: 60 })
    expect(calc).not.toHaveProperty('valuePath')
  })
})
