import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import type { StatComparison } from '../widget-data/widget-data.schema.ts'
import { CHART_TYPES, chartSvg, sparklineSvg, tableChartSvg, type ChartType } from './chart-svg.ts'
import { answerTable, isGrouped, type Cell, type ExportTable, type QueryTable, type WidgetAnswer } from './export-table.ts'
import { markdownToText } from './markdown-text.ts'
import { FOOTER_HEIGHT, MARGIN, PAGE, layoutPages, type Placement } from './pdf-layout.ts'
import { statFigures } from './stat-figures.ts'
import { winAnsi } from './win-ansi.ts'
import { readableInZone } from './zoned-time.ts'

/**
 * The whole dashboard as a PDF, drawn with pdfkit: charts as vectors (ECharts SVG through
 * svg-to-pdfkit), stat cards, tables, text and image widgets as print shows them, and every
 * widget in an error state as a visible error box (never a blank space that reads as "no data").
 */

export interface PdfWidget {
  id: string
  type: string
  title: string
  position: { x: number; y: number; w: number; h: number }
  config: Record<string, unknown>
  answer: WidgetAnswer
}

export interface PdfDashboard {
  name: string
  description: string | null
  from: string
  to: string
  asOf: string
  tz: string
  filters: Record<string, string>
  widgets: PdfWidget[]
}

type Doc = PDFKit.PDFDocument
interface Box {
  x: number
  y: number
  width: number
  height: number
}

const COLOR = { text: '#111827', muted: '#6b7280', border: '#e5e7eb', header: '#f3f4f6', up: '#15803d', down: '#b91c1c', errorFill: '#fef2f2', errorBorder: '#fca5a5', errorText: '#991b1b', link: '#1d4ed8' }
/** The stat card's colours by threshold tone, as on screen. */
const TONE = { ok: '#17803d', warning: '#9a5b00', critical: '#c62a2a', neutral: '#4f46e5' }
const FONT = 'Helvetica'
const BOLD = 'Helvetica-Bold'
const TITLE_HEIGHT = 22
const PADDING = 8
const TABLE_ROW = 12

const str = (value: unknown) => (typeof value === 'string' ? value : undefined)
const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })

/** `text` cut to `width` with an ellipsis, in the current font and size. */
function fit(doc: Doc, text: string, width: number): string {
  const clean = winAnsi(text).replace(/\s+/g, ' ')
  if (doc.widthOfString(clean) <= width) return clean
  let low = 0
  let high = clean.length
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (doc.widthOfString(`${clean.slice(0, middle)}…`) <= width) low = middle
    else high = middle - 1
  }
  return `${clean.slice(0, low)}…`
}

/** One line of text that never wraps nor adds a page. */
function line(doc: Doc, text: string, x: number, y: number, width: number, options: { font?: string; size?: number; color?: string; align?: 'left' | 'center' | 'right'; link?: string } = {}): void {
  doc.font(options.font ?? FONT).fontSize(options.size ?? 9).fillColor(options.color ?? COLOR.text)
  doc.text(fit(doc, text, width), x, y, { width, lineBreak: false, align: options.align ?? 'left', ...(options.link ? { link: options.link, underline: true } : {}) })
}

/** Wrapped text inside a box, cut with an ellipsis where the box ends. */
function paragraph(doc: Doc, text: string, box: Box, size = 9, color = COLOR.text): void {
  doc.font(FONT).fontSize(size).fillColor(color)
  if (box.height < size * 1.2) return
  doc.text(winAnsi(text), box.x, box.y, { width: box.width, height: box.height, ellipsis: true })
}

function header(doc: Doc, dashboard: PdfDashboard): void {
  const width = PAGE.width - 2 * MARGIN
  line(doc, dashboard.name, MARGIN, MARGIN, width, { font: BOLD, size: 18 })
  const range = `${readableInZone(new Date(dashboard.from), dashboard.tz)} – ${readableInZone(new Date(dashboard.to), dashboard.tz)} (${dashboard.tz})`
  const filters = Object.entries(dashboard.filters).map(([key, value]) => `${key} = ${value}`)
  const details = [range, `as of ${readableInZone(new Date(dashboard.asOf), dashboard.tz)}`, ...(filters.length > 0 ? [`filters: ${filters.join(', ')}`] : [])]
  line(doc, details.join('  ·  '), MARGIN, MARGIN + 25, width, { size: 9, color: COLOR.muted })
  if (dashboard.description) line(doc, dashboard.description, MARGIN, MARGIN + 38, width, { size: 8, color: COLOR.muted })
}

function footers(doc: Doc, dashboard: PdfDashboard): void {
  const range = doc.bufferedPageRange()
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index)
    const y = PAGE.height - MARGIN - FOOTER_HEIGHT + 8
    line(doc, `${dashboard.name} · page ${index + 1} of ${range.count}`, MARGIN, y, PAGE.width - 2 * MARGIN, { size: 7, color: COLOR.muted, align: 'right' })
  }
}

function errorBox(doc: Doc, box: Box, error: { code: string; message: string }): void {
  doc.roundedRect(box.x, box.y, box.width, box.height, 4).fillAndStroke(COLOR.errorFill, COLOR.errorBorder)
  line(doc, 'Could not load this widget', box.x + 8, box.y + 8, box.width - 16, { font: BOLD, size: 9, color: COLOR.errorText })
  paragraph(doc, `${error.message} (${error.code})`, { x: box.x + 8, y: box.y + 22, width: box.width - 16, height: box.height - 28 }, 8, COLOR.errorText)
}

function centered(doc: Doc, text: string, box: Box): void {
  line(doc, text, box.x, box.y + box.height / 2 - 5, box.width, { color: COLOR.muted, align: 'center' })
}

function chart(doc: Doc, type: ChartType, series: SeriesResponse, box: Box, widget: PdfWidget, tz: string): void {
  if (series.points.length === 0) return centered(doc, 'No data in this range', box)
  const unit = str(widget.config.unit)
  const svg = chartSvg(type, series, { width: box.width, height: box.height, tz, ...(unit ? { unit } : {}), stacked: widget.config.stacked === true, donut: widget.config.donut !== false })
  drawSvg(doc, svg, box)
}

function drawSvg(doc: Doc, svg: string, box: Box): void {
  SVGtoPDF(doc as unknown as Parameters<typeof SVGtoPDF>[0], svg, box.x, box.y, {
    width: box.width,
    height: box.height,
    // The chart was drawn at the box's size in points; read its pixels as points (no 0.75 scaling).
    assumePt: true,
    fontCallback: (_family, bold) => (bold ? BOLD : FONT),
    // Charts draw no images; refusing them keeps the renderer from reading any file or address.
    imageCallback: () => '',
  })
}

function formatStat(value: number | null): string {
  if (value === null) return '—'
  return Math.abs(value) >= 100_000 ? new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value) : numberFormat.format(value)
}

/** The range's value (coloured by its thresholds), its change against the period before, the target and a sparkline, as on screen. */
function statCard(doc: Doc, widget: PdfWidget, series: SeriesResponse, comparison: StatComparison | undefined, box: Box): void {
  const figures = statFigures(series, widget.config, comparison)
  const unit = str(widget.config.unit)
  const size = Math.max(12, Math.min(30, box.height * 0.4))
  const text = formatStat(figures.value)
  doc.font(BOLD).fontSize(size)
  const valueWidth = Math.min(doc.widthOfString(winAnsi(text)), box.width)
  line(doc, text, box.x, box.y, box.width, { font: BOLD, size, color: TONE[figures.tone] })
  if (unit) line(doc, unit, box.x + valueWidth + 4, box.y + size * 0.45, Math.max(box.width - valueWidth - 4, 0), { size: 10, color: COLOR.muted })
  let y = box.y + size + 3
  const lines: Array<[string, string]> = []
  const change = figures.changePercent
  lines.push(change === null ? [`— vs ${figures.against}`, COLOR.muted] : [`${change > 0 ? '+' : change < 0 ? '-' : '±'}${Math.abs(change).toFixed(1)}% vs ${figures.against}`, change >= 0 ? COLOR.up : COLOR.down])
  if (figures.tone === 'warning' || figures.tone === 'critical') lines.push([figures.tone === 'critical' ? 'Critical' : 'Warning', TONE[figures.tone]])
  if (figures.targetPercent !== null) lines.push([`${figures.targetPercent.toFixed(0)}% of target ${formatStat(widget.config.target as number)}${unit ? ` ${unit}` : ''}`, COLOR.muted])
  for (const [content, color] of lines) {
    if (y + 10 > box.y + box.height) return
    line(doc, content, box.x, y, box.width, { size: 8, color })
    y += 11
  }
  const room = box.y + box.height - y
  if (figures.trend.length > 1 && room >= 16) drawSvg(doc, sparklineSvg(figures.trend, TONE[figures.tone], box.width, Math.min(room, 60)), { x: box.x, y: box.y + box.height - Math.min(room, 60), width: box.width, height: Math.min(room, 60) })
}

function cellText(cell: Cell, tz: string): string {
  if (cell === null) return ''
  if (cell instanceof Date) return readableInZone(cell, tz)
  if (typeof cell === 'number') return numberFormat.format(cell)
  return String(cell)
}

/** The first rows that fit in the box, with a line saying how many there are in all. */
function table(doc: Doc, data: ExportTable, box: Box, tz: string): void {
  if (data.rows.length === 0) return centered(doc, 'No rows in this range', box)
  const columnWidth = box.width / Math.max(data.columns.length, 1)
  const fitting = Math.max(Math.floor(box.height / TABLE_ROW) - 2, 0)
  const shown = data.rows.slice(0, fitting)
  doc.rect(box.x, box.y, box.width, TABLE_ROW).fill(COLOR.header)
  data.columns.forEach((column, index) => {
    line(doc, column.name, box.x + index * columnWidth + 3, box.y + 2.5, columnWidth - 6, { font: BOLD, size: 7, align: column.kind === 'number' ? 'right' : 'left' })
  })
  shown.forEach((row, rowIndex) => {
    const y = box.y + (rowIndex + 1) * TABLE_ROW
    doc.moveTo(box.x, y).lineTo(box.x + box.width, y).lineWidth(0.5).stroke(COLOR.border)
    row.forEach((cell, index) => {
      line(doc, cellText(cell, tz), box.x + index * columnWidth + 3, y + 2.5, columnWidth - 6, { size: 7, align: data.columns[index]?.kind === 'number' ? 'right' : 'left' })
    })
  })
  const note = shown.length < data.rows.length ? `Showing ${shown.length} of ${data.rows.length} rows` : `${data.rows.length} rows`
  line(doc, note, box.x, box.y + (shown.length + 1) * TABLE_ROW + 2.5, box.width, { size: 7, color: COLOR.muted })
}

/** A table widget of a series reads best as time, group and value. */
function seriesForTable(series: SeriesResponse): ExportTable {
  const grouped = isGrouped(series)
  return {
    columns: [{ name: 'time', kind: 'date' }, ...(grouped ? [{ name: 'group', kind: 'text' as const }] : []), { name: 'value', kind: 'number' }],
    rows: series.points.map((point) => [new Date(point.t), ...(grouped ? [point.group ?? '(none)'] : []), point.value]),
  }
}

/** A saved query's result as a chart; false when it has no category and numeric column pair (it prints as a table then). */
function queryChart(doc: Doc, widget: PdfWidget, table: QueryTable, box: Box): boolean {
  if (table.rows.length === 0) return false
  const svg = tableChartSvg(widget.type as ChartType, table, widget.config, box)
  if (svg) drawSvg(doc, svg, box)
  return svg !== null
}

function widgetBody(doc: Doc, widget: PdfWidget, box: Box, tz: string): void {
  const { answer } = widget
  if (answer.status === 'error') return errorBox(doc, box, answer.error)
  if (widget.type === 'text') return paragraph(doc, markdownToText(str(widget.config.markdown) ?? ''), box)
  if (widget.type === 'image') {
    // The server never fetches a user's image address; the page shows where the image lives.
    const url = str(widget.config.url) ?? ''
    line(doc, 'Image (not embedded in the PDF):', box.x, box.y, box.width, { size: 8, color: COLOR.muted })
    line(doc, url, box.x, box.y + 12, box.width, { size: 8, color: COLOR.link, ...(url.startsWith('http') ? { link: url } : {}) })
    return
  }
  if (answer.status !== 'ok') return centered(doc, 'No data', box)
  if (answer.series && CHART_TYPES.includes(widget.type)) return chart(doc, widget.type as ChartType, answer.series, box, widget, tz)
  if (answer.table && CHART_TYPES.includes(widget.type) && queryChart(doc, widget, answer.table, box)) return
  if (answer.series && widget.type === 'stat_card') return statCard(doc, widget, answer.series, answer.comparison, box)
  const data = answer.series ? seriesForTable(answer.series) : answerTable(answer)
  if (data) return table(doc, data, box, tz)
  centered(doc, 'No data', box)
}

function drawWidget(doc: Doc, widget: PdfWidget, place: Placement, tz: string): void {
  doc.lineWidth(0.75).roundedRect(place.x, place.y, place.width, place.height, 5).stroke(COLOR.border)
  line(doc, widget.title, place.x + PADDING, place.y + 7, place.width - 2 * PADDING, { font: BOLD, size: 10 })
  const body = { x: place.x + PADDING, y: place.y + TITLE_HEIGHT + 2, width: place.width - 2 * PADDING, height: place.height - TITLE_HEIGHT - PADDING }
  if (body.height <= 0 || body.width <= 0) return
  doc.save()
  // Nothing a widget draws spills onto its neighbours.
  doc.rect(place.x, place.y + TITLE_HEIGHT - 2, place.width, place.height - TITLE_HEIGHT + 2).clip()
  widgetBody(doc, widget, body, tz)
  doc.restore()
}

/** PDFs rendered at once by this process; more wait their turn, so exports cannot starve the API of CPU. */
const MAX_CONCURRENT_RENDERS = 2
let rendering = 0
const waiting: Array<() => void> = []

async function withRenderSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (rendering >= MAX_CONCURRENT_RENDERS) await new Promise<void>((resolve) => waiting.push(resolve))
  else rendering += 1
  try {
    return await fn()
  } finally {
    // The slot passes straight to the next in line, or is freed.
    const next = waiting.shift()
    if (next) next()
    else rendering -= 1
  }
}

/** Renders the PDF; `compress: false` keeps content streams readable (tests and debugging). */
export function renderDashboardPdf(dashboard: PdfDashboard, options: { compress?: boolean } = {}): Promise<Buffer> {
  return withRenderSlot(() => render(dashboard, options))
}

async function render(dashboard: PdfDashboard, options: { compress?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margin: 0,
    bufferPages: true,
    compress: options.compress ?? true,
    info: { Title: winAnsi(dashboard.name), Producer: 'Tessera', Creator: 'Tessera' },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve)
    doc.on('error', reject)
  })
  const { pageCount, placements } = layoutPages(dashboard.widgets)
  for (let page = 1; page < pageCount; page++) doc.addPage()
  doc.switchToPage(0)
  header(doc, dashboard)
  if (dashboard.widgets.length === 0) centered(doc, 'This dashboard has no widgets yet.', { x: MARGIN, y: 200, width: PAGE.width - 2 * MARGIN, height: 40 })
  const byId = new Map(dashboard.widgets.map((widget) => [widget.id, widget]))
  for (const place of placements) {
    doc.switchToPage(place.page)
    drawWidget(doc, byId.get(place.id)!, place, dashboard.tz)
    // A chart takes a few hundred milliseconds of CPU: let other requests run between widgets.
    await new Promise((resolve) => setImmediate(resolve))
  }
  footers(doc, dashboard)
  doc.end()
  await ended
  return Buffer.concat(chunks)
}
