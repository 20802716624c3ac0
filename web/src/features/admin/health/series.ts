import type { MetricSeries } from './api.ts'

/** Pure helpers of the Health page: picking series out of the answer and summarising them. */

export interface ChartLine {
  name: string
  points: Array<[string, number]>
}

/** The series of `name` whose labels are exactly `labels` (overall series carry no route). */
export function findSeries(series: readonly MetricSeries[], name: string, labels: Record<string, string> = {}): MetricSeries | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort())
  return series.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)
}

/** One line per series of `name` matching `filter`, named by `lineName`. */
export function linesOf(series: readonly MetricSeries[], name: string, filter: (labels: Record<string, string>) => boolean, lineName: (labels: Record<string, string>) => string): ChartLine[] {
  return series
    .filter((s) => s.name === name && filter(s.labels))
    .map((s) => ({ name: lineName(s.labels), points: s.points }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export function latest(s: MetricSeries | undefined): number | undefined {
  return s?.points[s.points.length - 1]?.[1]
}

export function average(s: MetricSeries | undefined): number | undefined {
  if (!s || s.points.length === 0) {
    return undefined
  }
  return s.points.reduce((sum, p) => sum + p[1], 0) / s.points.length
}

/**
 * Pool connections per state, summed over applications for each bucket (the API and the
 * worker share one application name; a chart per application would repeat the same lines).
 */
export function poolLines(series: readonly MetricSeries[]): ChartLine[] {
  const byState = new Map<string, Map<string, number>>()
  for (const s of series) {
    if (s.name !== 'db_pool_connections') {
      continue
    }
    const state = s.labels.state ?? 'unknown'
    const buckets = byState.get(state) ?? new Map<string, number>()
    for (const [t, v] of s.points) {
      buckets.set(t, (buckets.get(t) ?? 0) + v)
    }
    byState.set(state, buckets)
  }
  return [...byState].map(([state, buckets]) => ({ name: state, points: [...buckets].sort((a, b) => a[0].localeCompare(b[0])) })).sort((a, b) => a.name.localeCompare(b.name))
}

export interface RouteLatency {
  route: string
  method: string
  /** Mean of the bucket p95s over the range. */
  p95: number
  /** The worst bucket's p95. */
  worstP95: number
  p50: number | undefined
  buckets: number
}

/** The routes with the highest p95 latency over the range, slowest first. */
export function slowestRoutes(series: readonly MetricSeries[], limit = 10): RouteLatency[] {
  const routes = new Map<string, RouteLatency>()
  for (const s of series) {
    const { route, method, stat } = s.labels
    if (s.name !== 'http_request_duration_ms' || !route || !method || s.points.length === 0) {
      continue
    }
    const key = `${method} ${route}`
    const entry = routes.get(key) ?? { route, method, p95: 0, worstP95: 0, p50: undefined, buckets: 0 }
    if (stat === 'p95') {
      entry.p95 = average(s) ?? 0
      entry.worstP95 = Math.max(...s.points.map((p) => p[1]))
      entry.buckets = s.points.length
    } else if (stat === 'p50') {
      entry.p50 = average(s)
    }
    routes.set(key, entry)
  }
  return [...routes.values()].filter((r) => r.buckets > 0).sort((a, b) => b.p95 - a.p95 || a.route.localeCompare(b.route)).slice(0, limit)
}

export function formatNumber(value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) {
    return '—'
  }
  return value.toLocaleString(undefined, { maximumFractionDigits: digits })
}

/** A figure with its unit, or a dash when there is none (no "— %"). */
export function withUnit(value: number | undefined, unit: string, digits = 1): string {
  const text = formatNumber(value, digits)
  return text === '—' ? text : `${text} ${unit}`
}
