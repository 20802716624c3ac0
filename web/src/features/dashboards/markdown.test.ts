// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { renderMarkdown } from './markdown.ts'
import { safeImageUrl } from './widgetView.ts'
import { tableOf } from './components/TableWidget.tsx'

describe('renderMarkdown', () => {
  it('renders headings, emphasis, lists and links', () => {
    const html = renderMarkdown('# Sales\n\n**Up** this week:\n\n- web\n- [store](https://example.com)')
    expect(html).toContain('<h1>Sales</h1>')
    expect(html).toContain('<strong>Up</strong>')
    expect(html).toContain('<li>web</li>')
    expect(html).toContain('href="https://example.com"')
  })

  it('removes scripts, event handlers and javascript: links', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n<iframe src="https://evil.example"></iframe>')
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe/i)
  })
})

describe('safeImageUrl', () => {
  it('accepts http and https only', () => {
    expect(safeImageUrl('https://example.com/chart.png')).toBe('https://example.com/chart.png')
    expect(safeImageUrl('http://example.com/a.png')).toBe('http://example.com/a.png')
    expect(safeImageUrl('javascript:alert(1)')).toBeUndefined()
    expect(safeImageUrl('data:image/png;base64,AAAA')).toBeUndefined()
    expect(safeImageUrl('not a url')).toBeUndefined()
    expect(safeImageUrl(42)).toBeUndefined()
  })
})

describe('tableOf', () => {
  it('shows a grouped series as time, group and value rows', () => {
    const table = tableOf({ bucket: '1h', agg: 'sum', source: 'rollup', asOf: '2026-01-01T00:00:00Z', points: [{ t: '2026-01-01T00:00:00Z', value: 3, count: 1, min: 3, max: 3, group: 'eu' }] }, undefined)
    expect(table.columns.map((column) => column.label)).toEqual(['Time', 'Group', 'Value'])
    expect(table.rows).toEqual([{ t: '2026-01-01T00:00:00Z', group: 'eu', value: 3 }])
  })

  it("shows a saved query's result as its own columns", () => {
    const table = tableOf(undefined, { columns: [{ name: 'channel', type: 'text' }, { name: 'revenue', type: 'numeric' }], rows: [{ channel: 'web', revenue: 10 }], rowCount: 1, truncated: false, asOf: '2026-01-01T00:00:00Z' })
    expect(table.columns).toEqual([{ name: 'channel', label: 'channel', numeric: false }, { name: 'revenue', label: 'revenue', numeric: true }])
  })
})
