import { describe, expect, it } from 'vitest'
import { diffSnapshots, sameValue, summarize, type Snapshot, type WidgetSnapshot } from './dashboard-versions.diff.ts'

const widget = (id: string, title: string, extra: Partial<WidgetSnapshot> = {}): WidgetSnapshot => ({
  id,
  type: 'line_chart',
  title,
  description: null,
  position: { x: 0, y: 0, w: 6, h: 4 },
  config: {},
  dataQuery: { source: 'metric', metricId: 'm1', bucket: '1h' },
  cacheDuration: 300,
  ...extra,
})

const snapshot = (widgets: WidgetSnapshot[], settings: Partial<Snapshot['settings']> = {}): Snapshot => ({
  settings: { name: 'Sales', description: null, tags: ['a'], theme: { primary: '#1976d2' }, filters: {}, refreshInterval: 300, layout: { grid: { cols: 12 } }, ...settings },
  widgets,
})

const EMPTY_DIFF = { settings: [], widgetsAdded: [], widgetsRemoved: [], widgetsChanged: [], layoutMoves: [] }

describe(diffSnapshots.name, () => {
  it('finds nothing between equal snapshots, whatever the key order of their objects', () => {
    const a = snapshot([widget('w1', 'Revenue', { config: { unit: 'EUR', stacked: true } })])
    const b = snapshot([widget('w1', 'Revenue', { config: { stacked: true, unit: 'EUR' } })], { theme: { primary: '#1976d2' } })
    expect(diffSnapshots(a, b)).toEqual(EMPTY_DIFF)
    expect(summarize(diffSnapshots(a, b))).toBe('No changes')
  })

  it('lists added and removed widgets by id, with title and type', () => {
    const before = snapshot([widget('w1', 'Revenue'), widget('w2', 'Orders', { type: 'bar_chart' })])
    const after = snapshot([widget('w1', 'Revenue'), widget('w3', 'Notes', { type: 'text', dataQuery: null })])
    expect(diffSnapshots(before, after)).toEqual({
      ...EMPTY_DIFF,
      widgetsAdded: [{ id: 'w3', title: 'Notes', type: 'text' }],
      widgetsRemoved: [{ id: 'w2', title: 'Orders', type: 'bar_chart' }],
    })
    expect(summarize(diffSnapshots(before, after))).toBe('Added widget “Notes”; Removed widget “Orders”')
  })

  it('names the changed fields of a widget, under its new title', () => {
    const before = snapshot([widget('w1', 'Revenue')])
    const after = snapshot([widget('w1', 'Revenue (EUR)', { dataQuery: { source: 'metric', metricId: 'm1', bucket: '1d' }, cacheDuration: 60 })])
    const diff = diffSnapshots(before, after)
    expect(diff.widgetsChanged).toEqual([{ id: 'w1', title: 'Revenue (EUR)', fields: ['title', 'dataQuery', 'cacheDuration'] }])
    expect(diff.layoutMoves).toEqual([])
    expect(summarize(diff)).toBe('Changed widget “Revenue (EUR)” (title, data query, cache duration)')
  })

  it('treats a new position as a layout move, not a change, with both rectangles', () => {
    const before = snapshot([widget('w1', 'A'), widget('w2', 'B'), widget('w3', 'C')])
    const after = snapshot([
      widget('w1', 'A', { position: { x: 6, y: 0, w: 6, h: 4 } }),
      widget('w2', 'B', { position: { x: 0, y: 4, w: 12, h: 2 } }),
      widget('w3', 'C', { position: { x: 0, y: 0, w: 6, h: 5 } }),
    ])
    const diff = diffSnapshots(before, after)
    expect(diff.widgetsChanged).toEqual([])
    expect(diff.layoutMoves).toEqual([
      { id: 'w1', title: 'A', from: { x: 0, y: 0, w: 6, h: 4 }, to: { x: 6, y: 0, w: 6, h: 4 } },
      { id: 'w2', title: 'B', from: { x: 0, y: 0, w: 6, h: 4 }, to: { x: 0, y: 4, w: 12, h: 2 } },
      { id: 'w3', title: 'C', from: { x: 0, y: 0, w: 6, h: 4 }, to: { x: 0, y: 0, w: 6, h: 5 } },
    ])
    expect(summarize(diff)).toBe('Moved 3 widgets')
    expect(summarize(diffSnapshots(before, snapshot([widget('w1', 'A', { position: { x: 1, y: 0, w: 6, h: 4 } }), widget('w2', 'B'), widget('w3', 'C')])))).toBe('Moved widget “A”')
  })

  it('reports a widget both changed and moved in both lists', () => {
    const diff = diffSnapshots(snapshot([widget('w1', 'A')]), snapshot([widget('w1', 'A', { config: { unit: 'ms' }, position: { x: 0, y: 2, w: 6, h: 4 } })]))
    expect(diff.widgetsChanged).toEqual([{ id: 'w1', title: 'A', fields: ['config'] }])
    expect(diff.layoutMoves).toHaveLength(1)
    expect(summarize(diff)).toBe('Changed widget “A” (options); Moved widget “A”')
  })

  it('compares every setting with its old and new value; a rename reads as one', () => {
    const before = snapshot([])
    const after = snapshot([], { name: 'Sales 2026', description: 'Quarterly', tags: ['a', 'b'], refreshInterval: 60, filters: { region: 'eu' } })
    const diff = diffSnapshots(before, after)
    expect(diff.settings).toEqual([
      { field: 'name', from: 'Sales', to: 'Sales 2026' },
      { field: 'description', from: null, to: 'Quarterly' },
      { field: 'tags', from: ['a'], to: ['a', 'b'] },
      { field: 'filters', from: {}, to: { region: 'eu' } },
      { field: 'refreshInterval', from: 300, to: 60 },
    ])
    expect(summarize(diff)).toBe('Renamed to “Sales 2026”; Changed description, tags, filters, refresh interval')
    expect(diffSnapshots(before, snapshot([], { theme: { primary: '#000000' } })).settings).toEqual([{ field: 'theme', from: { primary: '#1976d2' }, to: { primary: '#000000' } }])
  })

  it('against nothing (a first version): every setting is set and every widget added', () => {
    const diff = diffSnapshots(null, snapshot([widget('w1', 'Revenue')]))
    expect(diff.settings.map((s) => s.field)).toEqual(['name', 'description', 'tags', 'theme', 'filters', 'refreshInterval', 'layout'])
    expect(diff.settings[0]).toEqual({ field: 'name', from: null, to: 'Sales' })
    expect(diff.widgetsAdded).toEqual([{ id: 'w1', title: 'Revenue', type: 'line_chart' }])
    expect(diff.widgetsRemoved).toEqual([])
  })

  it('counts instead of naming past three widgets of one kind, and joins the parts with "; "', () => {
    const many = ['a', 'b', 'c', 'd'].map((id) => widget(id, id.toUpperCase()))
    expect(summarize(diffSnapshots(snapshot([]), snapshot(many)))).toBe('Added 4 widgets')
    expect(summarize(diffSnapshots(snapshot(many), snapshot([])))).toBe('Removed 4 widgets')
    const renamed = many.map((w) => ({ ...w, title: `${w.title}!` }))
    expect(summarize(diffSnapshots(snapshot(many), snapshot(renamed)))).toBe('Changed 4 widgets')
    expect(summarize(diffSnapshots(snapshot(many.slice(0, 2)), snapshot([many[0]!, widget('x', 'Revenue')], { name: 'Q' })))).toBe('Renamed to “Q”; Added widget “Revenue”; Removed widget “B”')
  })

  it('keeps a summary of very long titles under the column limit', () => {
    const long = ['a', 'b', 'c'].map((id) => widget(id, id.repeat(255)))
    const text = summarize(diffSnapshots(snapshot([]), snapshot(long, { name: 'n'.repeat(255) })))
    expect(text.length).toBeLessThanOrEqual(2000)
    expect(text.startsWith('Renamed to “nnn')).toBe(true)
  })
})

describe(sameValue.name, () => {
  it('tells arrays in another order and null from missing apart where they matter', () => {
    expect(sameValue(['a', 'b'], ['b', 'a'])).toBe(false)
    expect(sameValue({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true)
    expect(sameValue({ a: undefined }, {})).toBe(true)
    expect(sameValue(null, {})).toBe(false)
    expect(sameValue(1, '1')).toBe(false)
  })
})
