/**
 * The Explore page's state, kept in the URL (a link reproduces the view), and the widget data
 * query it sends to POST /orgs/{orgId}/widgets/preview (the same query a dashboard widget holds).
 */
import type { ChartType } from './chartOption.ts'

export const RANGES = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: '90d', label: 'Last 90 days', ms: 90 * 86_400_000 },
] as const

export interface ExploreState {
  source: 'metric' | 'pipeline'
  sourceId: string
  field: string
  aggregation: string
  bucket: string
  groupBy: string
  filters: Array<{ key: string; value: string }>
  range: string
  chart: ChartType
}

const CHARTS: ChartType[] = ['line_chart', 'area_chart', 'bar_chart', 'pie_chart']

export function readState(params: URLSearchParams): ExploreState {
  const chart = params.get('chart') as ChartType | null
  return {
    source: params.get('source') === 'pipeline' ? 'pipeline' : 'metric',
    sourceId: params.get('id') ?? '',
    field: params.get('field') ?? '',
    aggregation: params.get('agg') ?? '',
    bucket: params.get('bucket') ?? 'auto',
    groupBy: params.get('groupBy') ?? '',
    filters: params.getAll('filter').flatMap((pair) => {
      const colon = pair.indexOf(':')
      return colon > 0 ? [{ key: pair.slice(0, colon), value: pair.slice(colon + 1) }] : []
    }),
    range: RANGES.some((r) => r.value === params.get('range')) ? params.get('range')! : '24h',
    chart: chart && CHARTS.includes(chart) ? chart : 'line_chart',
  }
}

export function writeState(state: ExploreState): URLSearchParams {
  const params = new URLSearchParams({ source: state.source, range: state.range, chart: state.chart, bucket: state.bucket })
  if (state.sourceId) params.set('id', state.sourceId)
  if (state.field.trim()) params.set('field', state.field.trim())
  if (state.aggregation) params.set('agg', state.aggregation)
  if (state.groupBy.trim()) params.set('groupBy', state.groupBy.trim())
  for (const filter of state.filters) {
    if (filter.key.trim()) params.append('filter', `${filter.key.trim()}:${filter.value}`)
  }
  return params
}

/** The preview request body, or undefined while no source is chosen. */
export function previewBody(state: ExploreState, now: number): Record<string, unknown> | undefined {
  if (!state.sourceId) return undefined
  const span = RANGES.find((r) => r.value === state.range)?.ms ?? 86_400_000
  const common = {
    ...(state.aggregation ? { aggregation: state.aggregation } : {}),
    bucket: state.bucket,
    ...(state.groupBy.trim() ? { groupBy: state.groupBy.trim() } : {}),
  }
  const filters = Object.fromEntries(state.filters.filter((f) => f.key.trim()).map((f) => [f.key.trim(), f.value]))
  const dataQuery = state.source === 'metric'
    ? { source: 'metric', metricId: state.sourceId, ...common, ...(Object.keys(filters).length ? { filters } : {}) }
    : { source: 'pipeline', pipelineId: state.sourceId, ...(state.field.trim() ? { field: state.field.trim() } : {}), ...common }
  return { dataQuery, from: new Date(now - span).toISOString(), to: new Date(now).toISOString(), tz: Intl.DateTimeFormat().resolvedOptions().timeZone }
}
