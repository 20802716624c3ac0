import { describe, expect, it } from 'vitest'
import { clampPosition, narrowLayout, nextFreePosition, positionsFromGrid, readingOrder, toGridItems } from './gridLayout.ts'
import { changeSummary, documentBody, draftFrom, withPositions } from './dashboardDraft.ts'
import type { Widget } from './api.ts'

const widget = (key: string, x: number, y: number, w = 6, h = 4) => ({ key, position: { x, y, w, h } })

describe('grid layout conversion', () => {
  it('turns widget positions into grid items and back', () => {
    const items = toGridItems([widget('a', 0, 0), widget('b', 6, 0, 6, 3)])
    expect(items).toEqual([{ i: 'a', x: 0, y: 0, w: 6, h: 4 }, { i: 'b', x: 6, y: 0, w: 6, h: 3 }])
    expect(positionsFromGrid(items).get('b')).toEqual({ x: 6, y: 0, w: 6, h: 3 })
  })

  it('keeps a widget inside the 12 columns', () => {
    expect(clampPosition({ x: 10, y: -1, w: 6, h: 0 })).toEqual({ x: 6, y: 0, w: 6, h: 1 })
    expect(clampPosition({ x: 0, y: 0, w: 20, h: 2 })).toEqual({ x: 0, y: 0, w: 12, h: 2 })
  })

  it('places a new widget under the others', () => {
    expect(nextFreePosition([{ x: 0, y: 0, w: 6, h: 4 }, { x: 6, y: 2, w: 6, h: 5 }])).toEqual({ x: 0, y: 7, w: 6, h: 4 })
    expect(nextFreePosition([])).toEqual({ x: 0, y: 0, w: 6, h: 4 })
  })
})

describe('narrowLayout', () => {
  it('stacks widgets in one column in reading order (top to bottom, then left to right)', () => {
    const widgets = [widget('right', 6, 0), widget('below', 0, 4, 12, 2), widget('left', 0, 0)]
    expect(readingOrder(widgets.map((item) => ({ ...item }))).map((item) => item.key)).toEqual(['left', 'right', 'below'])
    expect(narrowLayout(widgets)).toEqual([
      { i: 'left', x: 0, y: 0, w: 1, h: 4 },
      { i: 'right', x: 0, y: 4, w: 1, h: 4 },
      { i: 'below', x: 0, y: 8, w: 1, h: 3 },
    ])
  })

  it('does not change the saved positions', () => {
    const widgets = [widget('b', 6, 0), widget('a', 0, 0)]
    narrowLayout(widgets)
    expect(widgets[0]?.position).toEqual({ x: 6, y: 0, w: 6, h: 4 })
  })
})

describe('dashboard draft', () => {
  const saved: Widget[] = [{ id: 'w1', type: 'line_chart', title: 'Sales', description: null, position: { x: 0, y: 0, w: 6, h: 4 }, config: {}, dataQuery: { source: 'metric', metricId: 'm1' } }]
  const base = draftFrom({ name: 'Shop', description: null, tags: [] }, saved)

  it('records a drag as a new draft and describes it', () => {
    const moved = withPositions(base, new Map([['w1', { x: 6, y: 0, w: 6, h: 4 }]]))
    expect(moved).not.toBe(base)
    expect(withPositions(base, new Map([['w1', { x: 0, y: 0, w: 6, h: 4 }]]))).toBe(base)
    expect(changeSummary(base, moved)).toBe('Moved 1 widget')
  })

  it('sends existing widgets with their id and new ones without, with the base version', () => {
    const draft = { ...base, widgets: [...base.widgets, { key: 'new-1', type: 'text' as const, title: 'Notes', description: null, position: { x: 0, y: 4, w: 12, h: 2 }, config: { markdown: '# Hi' }, dataQuery: null }] }
    const body = documentBody(draft, 3, changeSummary(base, draft)) as { widgets: Array<Record<string, unknown>>; baseVersion: number; summary: string }
    expect(body.baseVersion).toBe(3)
    expect(body.widgets[0]?.id).toBe('w1')
    expect(body.widgets[1]).not.toHaveProperty('id')
    expect(body.summary).toBe('Added 1 widget')
  })
})
