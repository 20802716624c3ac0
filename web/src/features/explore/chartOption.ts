/**
 * A series answer (GET …/series, POST …/widgets/preview) as an ECharts option, for the chart
 * types of issue 5's widgets. Pure: the chart component only mounts the result.
 */

export type ChartType = 'line_chart' | 'area_chart' | 'bar_chart' | 'pie_chart'

export interface SeriesPoint {
  t: string
  value: number | null
  count: number
  min: number | null
  max: number | null
  group?: string | null
}

export interface SeriesAnswer {
  bucket: string
  agg: string
  source: string
  asOf: string
  points: SeriesPoint[]
}

/** Points by group (null group: the whole metric; a point without the dimension: "(none)"). */
export function groupsOf(points: SeriesPoint[]): Map<string, SeriesPoint[]> {
  const groups = new Map<string, SeriesPoint[]>()
  for (const point of points) {
    const name = point.group === undefined ? 'value' : (point.group ?? '(none)')
    groups.set(name, [...(groups.get(name) ?? []), point])
  }
  return groups
}

export interface ChartDisplay {
  unit?: string
  stacked?: boolean
  /** Pie charts: a ring (default) or a full pie (false). */
  donut?: boolean
}

export function chartOption(type: ChartType, answer: SeriesAnswer, options: ChartDisplay = {}): Record<string, unknown> {
  const groups = groupsOf(answer.points)
  const grouped = answer.points.some((point) => point.group !== undefined)
  const tooltipValue = (value: unknown) => (typeof value === 'number' ? `${value.toLocaleString()}${options.unit ? ` ${options.unit}` : ''}` : '—')
  if (type === 'pie_chart') {
    // A pie shows each group's share of the whole range: its buckets merged with the query's aggregation.
    const data = [...groups].map(([name, points]) => ({ name, value: combine(answer.agg, points) }))
    return {
      tooltip: { trigger: 'item', valueFormatter: tooltipValue },
      legend: { type: 'scroll', bottom: 0 },
      // Shares inside the slices (names are in the legend), so narrow widgets don't cut labels off.
      series: [{ type: 'pie', radius: options.donut === false ? ['0%', '70%'] : ['40%', '75%'], center: ['50%', '45%'], data, label: { position: 'inside', formatter: '{d}%', color: '#fff', fontWeight: 600 }, labelLayout: { hideOverlap: true } }],
    }
  }
  const series = [...groups].map(([name, points]) => ({
    name,
    type: type === 'bar_chart' ? 'bar' : 'line',
    ...(type === 'area_chart' ? { areaStyle: {} } : {}),
    ...(options.stacked && type !== 'line_chart' ? { stack: 'total' } : {}),
    showSymbol: points.length < 60,
    ...(type === 'bar_chart' ? { barMaxWidth: 40 } : {}),
    data: points.map((point) => [point.t, point.value]),
  }))
  return {
    tooltip: { trigger: 'axis', valueFormatter: tooltipValue },
    legend: grouped ? { type: 'scroll', bottom: 0 } : { show: false },
    // Room above the plot for the unit's axis name.
    grid: { left: 8, right: 16, top: options.unit ? 28 : 16, bottom: grouped ? 40 : 8, containLabel: true },
    xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', ...(options.unit ? { name: options.unit } : {}) },
    series,
  }
}

/** One value for a group over the whole range, from its buckets (avg weighted by point count). */
export function combine(agg: string, points: SeriesPoint[]): number | null {
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

/** A stat card's sparkline: a bare line without axes or labels. */
export function sparklineOption(values: number[], colour: string): Record<string, unknown> {
  return {
    animation: false,
    grid: { left: 0, right: 0, top: 2, bottom: 2 },
    xAxis: { type: 'category', show: false, boundaryGap: false },
    yAxis: { type: 'value', show: false, scale: true },
    series: [{ type: 'line', data: values, showSymbol: false, lineStyle: { width: 2, color: colour }, areaStyle: { color: colour, opacity: 0.12 } }],
  }
}
