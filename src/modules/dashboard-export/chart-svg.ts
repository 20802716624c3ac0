import * as echarts from 'echarts'
import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { winAnsi } from './win-ansi.ts'
import { wallClock } from './zoned-time.ts'

/**
 * A chart widget as SVG, drawn by ECharts on the server (its SSR mode: no DOM, no browser).
 * The option mirrors the UI's (web/src/features/explore/chartOption.ts) with print settings:
 * no animation or tooltips, the PDF's font, and times moved to the view's wall clock so the
 * axis reads as on screen in that time zone.
 */

export type ChartType = 'line_chart' | 'area_chart' | 'bar_chart' | 'pie_chart'
export const CHART_TYPES: readonly string[] = ['line_chart', 'area_chart', 'bar_chart', 'pie_chart']

type Point = SeriesResponse['points'][number]

/** Points by group (no group: the whole metric, "value"; a point without the dimension: "(none)"). */
export function groupsOf(points: Point[]): Map<string, Point[]> {
  const groups = new Map<string, Point[]>()
  for (const point of points) {
    const name = point.group === undefined ? 'value' : (point.group ?? '(none)')
    const list = groups.get(name)
    if (list) list.push(point)
    else groups.set(name, [point])
  }
  return groups
}

/** One value over the whole range from its buckets, with the query's aggregation (avg weighted by count). */
export function combine(agg: string, points: Point[]): number | null {
  const values = points.map((point) => point.value).filter((value): value is number => value !== null)
  if (values.length === 0) return null
  switch (agg) {
    case 'min':
      return Math.min(...values)
    case 'max':
      return Math.max(...values)
    case 'avg': {
      const count = points.reduce((sum, point) => sum + (point.value === null ? 0 : point.count), 0)
      return count === 0 ? null : points.reduce((sum, point) => sum + (point.value ?? 0) * point.count, 0) / count
    }
    default:
      return values.reduce((sum, value) => sum + value, 0)
  }
}

export interface ChartOptions {
  width: number
  height: number
  tz: string
  unit?: string
  stacked?: boolean
  /** Pie charts: a ring (default) or a full pie (false). */
  donut?: boolean
}

const FONT = { fontFamily: 'Helvetica', fontSize: 9, color: '#4b5563' }

const LEGEND_ITEM = { itemWidth: 14, itemHeight: 8, itemGap: 10 }
const LEGEND_ROW = 20

/**
 * A print legend: paper can't scroll, so every group is listed and the legend wraps, with
 * its height (estimated: the symbol, the gaps and about 4.6 per character at this font size)
 * kept free below the plot. A legend that would take most of a small chart becomes one
 * paged row instead (its first names and a "1/n" pager), so the plot keeps its room.
 */
function printLegend(names: string[], width: number, height: number): { legend: Record<string, unknown>; height: number } {
  const usable = Math.max(width - 10, 1)
  let rows = 1
  let used = 0
  for (const name of names) {
    const item = LEGEND_ITEM.itemWidth + 5 + 4.6 * name.length + LEGEND_ITEM.itemGap
    if (used > 0 && used + item > usable) {
      rows += 1
      used = 0
    }
    used += item
  }
  const wrapped = rows * LEGEND_ROW + 4
  if (wrapped <= height * 0.4) return { legend: { bottom: 0, textStyle: FONT, ...LEGEND_ITEM }, height: wrapped }
  return { legend: { type: 'scroll', bottom: 0, textStyle: FONT, ...LEGEND_ITEM }, height: LEGEND_ROW + 4 }
}

function printOption(type: ChartType, series: SeriesResponse, options: ChartOptions): Record<string, unknown> {
  const groups = [...groupsOf(series.points)].map(([name, points]) => [winAnsi(name), points] as const)
  const grouped = series.points.some((point) => point.group !== undefined)
  const base = { animation: false, textStyle: FONT, backgroundColor: 'transparent' }
  const legend = printLegend(groups.map(([name]) => name), options.width, options.height)
  if (type === 'pie_chart') {
    // The pie takes the space above its legend; slice labels only where they have room to stay apart.
    const plotHeight = Math.max(options.height - legend.height, 20)
    const radius = Math.max(Math.min(options.width, plotHeight) / 2 - 24, 8)
    const roomy = plotHeight >= 140 && options.width >= 260
    return {
      ...base,
      legend: legend.legend,
      series: [{
        type: 'pie',
        radius: [options.donut === false ? 0 : radius * 0.55, radius],
        center: [options.width / 2, plotHeight / 2],
        data: groups.map(([name, points]) => ({ name, value: combine(series.agg, points) })),
        label: { show: roomy, formatter: '{b}: {d}%', ...FONT },
      }],
    }
  }
  return {
    ...base,
    useUTC: true,
    legend: grouped ? legend.legend : { show: false },
    grid: { left: 8, right: 16, top: 16, bottom: grouped ? 4 + legend.height : 8, containLabel: true },
    xAxis: { type: 'time', axisLabel: { ...FONT, hideOverlap: true } },
    yAxis: { type: 'value', axisLabel: FONT, ...(options.unit ? { name: winAnsi(options.unit), nameTextStyle: FONT } : {}) },
    series: groups.map(([name, points]) => ({
      name,
      type: type === 'bar_chart' ? 'bar' : 'line',
      ...(type === 'area_chart' ? { areaStyle: {} } : {}),
      ...(options.stacked && type !== 'line_chart' ? { stack: 'total' } : {}),
      showSymbol: points.length < 60,
      data: points.map((point) => [wallClock(new Date(point.t), options.tz).getTime(), point.value]),
    })),
  }
}

function render(option: Record<string, unknown>, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: Math.max(Math.round(width), 20), height: Math.max(Math.round(height), 10) })
  try {
    chart.setOption(option)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

export function chartSvg(type: ChartType, series: SeriesResponse, options: ChartOptions): string {
  return render(printOption(type, series, options), options.width, options.height)
}

/** A stat card's trend: a bare line without axes or labels, as the UI draws it. */
export function sparklineSvg(values: number[], colour: string, width: number, height: number): string {
  return render({
    animation: false,
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, boundaryGap: false },
    yAxis: { type: 'value', show: false, scale: true },
    series: [{ type: 'line', data: values, showSymbol: false, lineStyle: { width: 1.5, color: colour }, areaStyle: { color: colour, opacity: 0.12 } }],
  }, width, height)
}

interface ChartTable {
  columns: Array<{ name: string }>
  rows: Array<Record<string, unknown>>
}

const isNumeric = (value: unknown) => typeof value === 'number' || (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)))

/**
 * A saved query's result drawn as a chart, as the UI does (web/src/features/dashboards/tableChart.ts):
 * the category column (config.xColumn, default the first) against one numeric column
 * (config.yColumn or yColumns[0], default the first numeric one). Null when there is no such pair.
 */
export function tableChartSvg(type: ChartType, table: ChartTable, config: Record<string, unknown>, size: { width: number; height: number }): string | null {
  const xColumn = typeof config.xColumn === 'string' ? config.xColumn : table.columns[0]?.name
  const listed = Array.isArray(config.yColumns) && typeof config.yColumns[0] === 'string' ? config.yColumns[0] : undefined
  const yColumn = typeof config.yColumn === 'string' ? config.yColumn : (listed ?? table.columns.find((c) => c.name !== xColumn && table.rows.some((row) => isNumeric(row[c.name])))?.name)
  if (!xColumn || !yColumn) return null
  const data = table.rows.map((row) => ({ name: winAnsi(String(row[xColumn] ?? '(none)')), value: Number(row[yColumn]) }))
  const base = { animation: false, textStyle: FONT, backgroundColor: 'transparent' }
  const option = type === 'pie_chart'
    ? { ...base, legend: { bottom: 0, textStyle: FONT }, series: [{ type: 'pie', name: yColumn, radius: config.donut === false ? ['0%', '62%'] : ['35%', '62%'], center: ['50%', '45%'], data, label: { formatter: '{b}: {d}%', ...FONT } }] }
    : {
        ...base,
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: data.map((item) => item.name), axisLabel: { ...FONT, hideOverlap: true } },
        yAxis: { type: 'value', axisLabel: FONT },
        series: [{ type: type === 'bar_chart' ? 'bar' : 'line', name: yColumn, data: data.map((item) => item.value), ...(type === 'area_chart' ? { areaStyle: {} } : {}) }],
      }
  return render(option, size.width, size.height)
}
