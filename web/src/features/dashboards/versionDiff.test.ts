import { describe, expect, it } from 'vitest'
import { describeDiff } from './versionDiff.ts'

const empty = { settings: [], widgetsAdded: [], widgetsRemoved: [], widgetsChanged: [], layoutMoves: [] }

describe('describeDiff', () => {
  it('names added, removed and changed widgets', () => {
    expect(describeDiff({
      ...empty,
      widgetsAdded: [{ id: 'a', title: 'Revenue', type: 'line_chart' }],
      widgetsRemoved: [{ id: 'b', title: 'Old KPI', type: 'stat_card' }],
      widgetsChanged: [{ id: 'c', title: 'Orders', fields: ['title', 'dataQuery', 'position'] }],
    })).toEqual(['Added line chart “Revenue”', 'Removed stat card “Old KPI”', 'Changed title and data query of “Orders”'])
  })

  it('says where a widget moved from and to, in columns and rows a person counts from 1', () => {
    expect(describeDiff({ ...empty, layoutMoves: [{ id: 'a', title: 'Revenue', from: { x: 0, y: 0, w: 4, h: 3 }, to: { x: 6, y: 2, w: 4, h: 3 } }] }))
      .toEqual(['Moved “Revenue” from column 1, row 0 (4×3) to column 7, row 2 (4×3)'])
    expect(describeDiff({ ...empty, layoutMoves: [{ id: 'a', title: 'Revenue', from: { x: 0, y: 0, w: 4, h: 3 }, to: { x: 0, y: 0, w: 6, h: 4 } }] })[0]).toMatch(/^Resized “Revenue”/)
  })

  it('describes settings changes and an empty diff', () => {
    expect(describeDiff({ ...empty, settings: [{ field: 'name', from: 'Sales', to: 'Sales (EU)' }, { field: 'tags', from: [], to: ['eu'] }] }))
      .toEqual(['Changed name from “Sales” to “Sales (EU)”', 'Changed tags from nothing to eu'])
    expect(describeDiff(empty)).toEqual(['No changes to widgets or settings'])
  })
})
