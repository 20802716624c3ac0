import { describe, expect, it } from 'vitest'
import { configOf, dataQueryOf, emptyForm, formFromWidget, formProblems, parsePairs } from './widgetForm.ts'

describe('widget form', () => {
  it('builds a metric query with group by, top N and filters; auto bucket is left out', () => {
    const form = { ...emptyForm('bar_chart'), title: 'Sales', metricId: 'm1', aggregation: 'sum' as const, groupBy: 'region', limit: '5', filters: 'channel=web\nstore = Berlin' }
    expect(dataQueryOf(form)).toEqual({ source: 'metric', metricId: 'm1', aggregation: 'sum', groupBy: 'region', limit: 5, filters: { channel: 'web', store: 'Berlin' } })
  })

  it('keeps only the display options of the chosen type', () => {
    const stat = { ...emptyForm('stat_card'), unit: '€', warning: '80', critical: '95', direction: 'above' as const, target: '100', stacked: true }
    expect(configOf(stat)).toEqual({ unit: '€', thresholds: { warning: 80, critical: 95, direction: 'above' }, target: 100 })
    expect(configOf({ ...emptyForm('pie_chart'), donut: false, unit: 'x' })).toEqual({ donut: false })
    expect(configOf({ ...emptyForm('text'), markdown: '# Hi' })).toEqual({ markdown: '# Hi' })
  })

  it('says what is missing before a widget can be added', () => {
    expect(formProblems(emptyForm('line_chart'))).toEqual(['Give the widget a title.', 'Choose a metric.'])
    expect(formProblems({ ...emptyForm('image'), title: 'Logo', url: 'javascript:alert(1)' })).toEqual(['An image needs an http:// or https:// address.'])
    expect(formProblems({ ...emptyForm('text'), title: 'Notes' })).toEqual([])
  })

  it('reads a saved widget back into the form', () => {
    const form = formFromWidget({ key: 'w1', id: 'w1', type: 'table', title: 'Top', description: null, position: { x: 0, y: 0, w: 6, h: 4 }, config: { xColumn: 'channel', yColumns: ['revenue'] }, dataQuery: { source: 'query', queryId: 'q1', params: { since: '2026-01-01' } } })
    expect(form).toMatchObject({ source: 'query', queryId: 'q1', params: 'since=2026-01-01', xColumn: 'channel', yColumn: 'revenue' })
    expect(parsePairs('a=1, b = two\nbad')).toEqual({ a: '1', b: 'two' })
  })
})
