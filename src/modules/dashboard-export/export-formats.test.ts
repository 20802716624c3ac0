import { describe, expect, it } from 'vitest'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { escapeText, toCsv } from './csv.ts'
import { renderDashboardPdf, type PdfWidget } from './dashboard-pdf.ts'
import { queryTable, seriesTable } from './export-table.ts'
import { periodLength, statFigures } from './stat-figures.ts'
import { pdfPageCount, pdfText, unzip } from './export.fixtures.ts'
import { attachment } from './filename.ts'
import { markdownToText } from './markdown-text.ts'
import { bandsOf, layoutPages, PAGE } from './pdf-layout.ts'
import { winAnsi } from './win-ansi.ts'
import { sheetName, toXlsx } from './xlsx.ts'
import { isoInZone, wallClock } from './zoned-time.ts'

/** The pure parts of the exports: CSV and XLSX encoding, the PDF's page layout and text. */

const series = (points: SeriesResponse['points'], agg: SeriesResponse['agg'] = 'sum'): SeriesResponse => ({ bucket: '1h', agg, source: 'raw', asOf: '2026-03-01T12:00:00.000Z', cache: 'miss', points })
const T0 = '2026-03-01T08:00:00.000Z'
const T1 = '2026-03-01T09:00:00.000Z'

describe('toCsv', () => {
  it('writes an ungrouped series as time, value, count, min, max with CRLF line ends', () => {
    const table = seriesTable(series([
      { t: T0, value: 5, count: 2, min: 2, max: 3 },
      { t: T1, value: -1.5, count: 1, min: null, max: null },
    ]))
    expect(toCsv(table, 'UTC')).toBe(`time,value,count,min,max\r\n${T0},5,2,2,3\r\n${T1},-1.5,1,,\r\n`)
  })

  it('adds a group column for a grouped series; a point without the dimension has an empty group', () => {
    const table = seriesTable(series([
      { t: T0, value: 2, count: 1, min: 2, max: 2, group: 'eu' },
      { t: T0, value: 3, count: 1, min: 3, max: 3, group: null },
    ]))
    expect(toCsv(table, 'Europe/Paris')).toBe('time,group,value,count,min,max\r\n2026-03-01T09:00:00.000+01:00,eu,2,1,2,2\r\n2026-03-01T09:00:00.000+01:00,,3,1,3,3\r\n')
  })

  it('quotes per RFC 4180 and defuses text a spreadsheet would run as a formula', () => {
    expect(escapeText('plain')).toBe('plain')
    expect(escapeText('a,b')).toBe('"a,b"')
    expect(escapeText('say "hi"')).toBe('"say ""hi"""')
    expect(escapeText('two\nlines')).toBe('"two\nlines"')
    expect(escapeText('=1+2')).toBe("'=1+2")
    expect(escapeText('+31 6 123')).toBe("'+31 6 123")
    expect(escapeText('-2+3')).toBe("'-2+3")
    expect(escapeText('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(escapeText('\tcmd')).toBe("'\tcmd")
    expect(escapeText('\rcmd')).toBe(`"'\rcmd"`)
    expect(escapeText('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`)
    expect(escapeText('a=b')).toBe('a=b')
    // Our own numbers are numbers, not text: -3 stays -3.
    const table = queryTable({ columns: [{ name: 'n', type: 'integer' }, { name: '=label', type: 'text' }], rows: [{ n: -3, '=label': '-x' }] })
    expect(toCsv(table, 'UTC')).toBe("n,'=label\r\n-3,'-x\r\n")
  })

  it('keeps a saved query result in its own columns, numbers from numeric strings, times in the zone', () => {
    const table = queryTable({
      columns: [{ name: 'channel', type: 'text' }, { name: 'revenue', type: 'numeric' }, { name: 'big', type: 'bigint' }, { name: 'day', type: 'timestamptz' }, { name: 'paid', type: 'boolean' }, { name: 'meta', type: 'jsonb' }],
      rows: [{ channel: 'web', revenue: '12.50', big: '12345678901234567890', day: T0, paid: true, meta: { a: 1 } }],
    })
    expect(table.rows[0]).toEqual(['web', 12.5, '12345678901234567890', new Date(T0), true, '{"a":1}'])
    expect(toCsv(table, 'UTC')).toBe(`channel,revenue,big,day,paid,meta\r\nweb,12.5,12345678901234567890,${T0},true,"{""a"":1}"\r\n`)
  })
})

describe('toXlsx', () => {
  it('writes a workbook with a bold header row, numbers as numbers, times as Excel dates in the zone, text as text', async () => {
    const table = seriesTable(series([
      { t: T0, value: 5.5, count: 2, min: 2, max: 3.5, group: '=cmd' },
      { t: T1, value: null, count: 0, min: null, max: null, group: 'us' },
    ]))
    const files = unzip(await toXlsx(table, 'Europe/Paris', 'Orders: EU/US'))
    const sheet = files.get('xl/worksheets/sheet1.xml')!.toString('utf8')
    const strings = [...files.get('xl/sharedStrings.xml')!.toString('utf8').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1])
    expect(strings).toEqual(['time (Europe/Paris)', 'group', 'value', 'count', 'min', 'max', '=cmd', 'us'])
    expect(files.get('xl/workbook.xml')!.toString('utf8')).toContain('name="Orders EU US"')

    const cells = Object.fromEntries([...sheet.matchAll(/<c r="([A-Z]+\d+)"([^>]*)>(?:<v>([^<]*)<\/v>)?<\/c>/g)].map((m) => [m[1], { attrs: m[2]!, v: m[3] }]))
    for (const ref of ['A1', 'B1', 'C1', 'D1', 'E1', 'F1']) expect(cells[ref]!.attrs).toContain('t="s"')
    // 09:00 in Paris on 2026-03-01 = serial 46082 + 9/24.
    expect(Number(cells.A2!.v)).toBeCloseTo(46082 + 9 / 24, 9)
    expect(cells.A2!.attrs).not.toContain('t=')
    const dateStyle = Number(/s="(\d+)"/.exec(cells.A2!.attrs)![1])
    const styles = files.get('xl/styles.xml')!.toString('utf8')
    const xfs = [...styles.split('<cellXfs')[1]!.matchAll(/<xf ([^>]*)>/g)].map((m) => m[1]!)
    const numFmtId = /numFmtId="(\d+)"/.exec(xfs[dateStyle]!)![1]
    expect(styles).toContain(`numFmtId="${numFmtId}" formatCode="yyyy-mm-dd hh:mm:ss"`)
    // A text cell holding "=cmd" is a string (t="s"), never a formula (<f>).
    expect(cells.B2).toEqual({ attrs: ' t="s"', v: '6' })
    expect(sheet).not.toContain('<f>')
    expect(cells.C2).toEqual({ attrs: '', v: '5.5' })
    expect(cells.D2).toEqual({ attrs: '', v: '2' })
    expect(cells.F2).toEqual({ attrs: '', v: '3.5' })
    expect(cells.C3).toBeUndefined()
    expect(cells.D3).toEqual({ attrs: '', v: '0' })
  })

  it('names the sheet within Excel limits', () => {
    expect(sheetName('a/b\\c?d*e[f]g:h')).toBe('a b c d e f g h')
    expect(sheetName('x'.repeat(40))).toHaveLength(31)
    expect(sheetName("'''")).toBe('Data')
  })
})

describe('zoned times', () => {
  it('shows instants on the zone wall clock, with the offset in ISO form', () => {
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00.000-04:00')
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe('2026-07-01T17:30:00.000+05:30')
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'UTC')).toBe('2026-07-01T12:00:00.000Z')
    expect(wallClock(new Date('2026-12-31T23:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2027-01-01T00:30:00.000Z')
  })
})

describe('attachment', () => {
  it('names the file after the title: ASCII for filename, the title itself for filename*', () => {
    expect(attachment('Orders by region', 'csv')).toBe(`attachment; filename="orders-by-region.csv"; filename*=UTF-8''Orders%20by%20region.csv`)
    expect(attachment('Über "Umsatz" / Q1\r\n', 'xlsx')).toBe(`attachment; filename="uber-umsatz-q1.xlsx"; filename*=UTF-8''%C3%9Cber%20Umsatz%20Q1.xlsx`)
    expect(attachment('日本', 'pdf')).toBe(`attachment; filename="export.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf`)
    expect(attachment('../..', 'csv')).toBe('attachment; filename="export.csv"')
  })
})

describe('layoutPages', () => {
  const item = (id: string, x: number, y: number, w: number, h: number) => ({ id, position: { x, y, w, h } })

  it('keeps overlapping rows together in one band', () => {
    const bands = bandsOf([item('a', 0, 0, 6, 4), item('b', 6, 2, 6, 4), item('c', 0, 6, 12, 2), item('d', 0, 9, 4, 1)])
    expect(bands.map((band) => [band.top, band.bottom, band.items.map((i) => i.id)])).toEqual([[0, 6, ['a', 'b']], [6, 8, ['c']], [9, 10, ['d']]])
  })

  it('places widgets side by side across the page width and breaks pages between bands', () => {
    // Twelve full-width widgets five rows high: two per page (the first page's header included).
    const stacked = Array.from({ length: 12 }, (_, i) => item(`w${i}`, 0, i * 5, 12, 5))
    const { pageCount, placements } = layoutPages(stacked)
    expect(pageCount).toBe(6)
    expect(placements.map((p) => p.page)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    const pair = layoutPages([item('left', 0, 0, 6, 4), item('right', 6, 0, 6, 4)]).placements
    expect(pair[0]!.y).toBe(pair[1]!.y)
    expect(pair[1]!.x).toBeGreaterThan(pair[0]!.x + pair[0]!.width)
    expect(pair[1]!.x + pair[1]!.width).toBeLessThanOrEqual(PAGE.width - 36)
  })

  it('scales a band taller than a page down to fit one page', () => {
    const { pageCount, placements } = layoutPages([item('tall', 0, 0, 12, 40), item('next', 0, 40, 12, 2)])
    expect(pageCount).toBe(2)
    expect(placements[0]!.y + placements[0]!.height).toBeLessThan(PAGE.height - 36)
    expect(placements[0]!.width).toBeLessThan(PAGE.width - 72)
    expect(placements[1]!.page).toBe(1)
  })
})

describe('print text', () => {
  it('turns Markdown into plain text', () => {
    expect(markdownToText('# Title\n\nSome **bold** and _italic_ text with `code`.\n\n- one\n- [two](https://example.com)\n\n![logo](https://x/y.png)\n<b>html</b>')).toBe(
      'Title\n\nSome bold and italic text with code.\n\n• one\n• two (https://example.com)\n\nlogo\nhtml',
    )
  })

  it('folds text to what the standard PDF fonts can show', () => {
    expect(winAnsi('Café — 5 ≤ 6 € ő 日本')).toBe('Café — 5 <= 6 € o ??')
  })
})

describe('renderDashboardPdf', () => {
  it('draws a saved query result as a chart of its columns, or as a table', async () => {
    const table = { columns: [{ name: 'channel', type: 'text' }, { name: 'orders', type: 'bigint' }], rows: [{ channel: 'web', orders: '12' }, { channel: 'store', orders: '7' }], truncated: false }
    const pdf = await renderDashboardPdf({
      name: 'Channels', description: 'Sales by channel', from: T0, to: T1, asOf: T1, tz: 'UTC', filters: {},
      widgets: [
        { id: 'a', title: 'Orders by channel', type: 'bar_chart', position: { x: 0, y: 0, w: 6, h: 5 }, config: { xColumn: 'channel', yColumn: 'orders' }, answer: { status: 'ok', table } },
        { id: 'b', title: 'Channel table', type: 'table', position: { x: 6, y: 0, w: 6, h: 5 }, config: {}, answer: { status: 'ok', table } },
      ],
    })
    expect(pdfPageCount(pdf)).toBe(1)
    const text = pdfText(pdf)
    for (const expected of ['Orders by channel', 'Channel table', 'channel', 'orders', 'web', 'store', '12', '2 rows', 'Sales by channel']) expect(text).toContain(expected)
  })

  const widget = (id: string, title: string, type: string, y: number, answer: PdfWidget['answer'], config: Record<string, unknown> = {}): PdfWidget => ({ id, title, type, position: { x: 0, y, w: 12, h: 5 }, config, answer })
  const ok = { status: 'ok' as const, series: series([{ t: T0, value: 5, count: 1, min: 5, max: 5 }, { t: T1, value: 7, count: 1, min: 7, max: 7 }]) }

  it('draws a title, range line, widget titles and an error box, with one page per two stacked widgets', async () => {
    const pdf = await renderDashboardPdf({
      name: 'Weekly review',
      description: null,
      from: T0,
      to: T1,
      asOf: T1,
      tz: 'UTC',
      filters: { region: 'eu' },
      widgets: [
        widget('a', 'Orders per hour', 'line_chart', 0, ok),
        widget('b', 'Revenue total', 'stat_card', 5, { ...ok, comparison: { value: 12, previous: 10, from: T0, to: '2026-03-01T10:00:00.000Z', previousFrom: '2026-03-01T06:00:00.000Z', previousTo: T0 } }, { unit: 'EUR', target: 10, thresholds: { warning: 6, critical: 20 } }),
        widget('c', 'Broken chart', 'bar_chart', 10, { status: 'error', error: { code: 'not_found', message: 'The metric does not exist' } }),
      ],
    }, { compress: false })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdfPageCount(pdf)).toBe(2)
    const text = pdfText(pdf).join('\n')
    // The stat card shows the range's value (12), its change against the 2 hours before, its tone and target, as on screen.
    for (const expected of ['Weekly review', 'Orders per hour', 'Revenue total', '12', 'EUR', '+20.0% vs previous 2 h', 'Warning', '120% of target 10 EUR', 'Broken chart', 'Could not load this widget', 'page 2 of 2']) {
      expect(text).toContain(expected)
    }
    expect(text).toContain('2026-03-01 08:00 – 2026-03-01 09:00 (UTC)')
    expect(text).toContain('filters: region = eu')
  })
})

describe('stat card figures', () => {
  const points = [{ t: T0, value: 2, count: 1, min: 2, max: 2 }, { t: T1, value: 4, count: 3, min: 1, max: 6 }]

  it("takes the answer's comparison: the range's value against the same length before it", () => {
    const figures = statFigures(series(points), { target: 8 }, { value: 6, previous: 4, from: T0, to: '2026-03-02T08:00:00.000Z', previousFrom: '2026-02-28T08:00:00.000Z', previousTo: T0 })
    expect(figures).toMatchObject({ value: 6, changePercent: 50, against: 'previous 24 h', trend: [2, 4], targetPercent: 75 })
    expect(statFigures(series(points), {}, { value: 6, previous: null, from: T0, to: T1, previousFrom: T0, previousTo: T0 }).changePercent).toBeNull()
  })

  it('falls back to the aggregation over the points, without a change, when the answer has no comparison', () => {
    expect(statFigures(series(points), {})).toMatchObject({ value: 6, changePercent: null, against: 'previous period' })
    expect(statFigures(series(points, 'avg'), {}).value).toBe(3.5)
  })

  it('says a range length the way a person does', () => {
    const minutes = (n: number) => n * 60_000
    expect([15, 60, 150, 360, 1440, 2160, 10080, 3060].map((n) => periodLength(minutes(n)))).toEqual(['15 min', '1 h', '2 h 30 min', '6 h', '24 h', '36 h', '7 d', '2 d 3 h'])
    expect(periodLength(30_000)).toBe('30 s')
  })
})
