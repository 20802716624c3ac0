import { combine, type SeriesPoint } from '../explore/chartOption.ts'

/**
 * A stat card's figures from a series answer: the latest bucket's value, its change against the
 * bucket before (the previous period of the same length), and the colour its thresholds give it.
 */

export interface StatFigures {
  value: number | null
  previous: number | null
  /** Percent change against the previous period; null when there is none or it was 0. */
  changePercent: number | null
  /** One value per bucket, oldest first (the sparkline). */
  trend: number[]
}

/** Buckets of a grouped series merged into one value each with the query's aggregation. */
export function totalsByBucket(agg: string, points: SeriesPoint[]): Array<{ t: string; value: number | null }> {
  const byTime = new Map<string, SeriesPoint[]>()
  for (const point of points) {
    byTime.set(point.t, [...(byTime.get(point.t) ?? []), point])
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => new Date(a).getTime() - new Date(b).getTime())
    .map(([t, group]) => ({ t, value: group.length === 1 ? (group[0]?.value ?? null) : combine(agg === 'count' ? 'sum' : agg, group) }))
}

export function statFigures(agg: string, points: SeriesPoint[]): StatFigures {
  const buckets = totalsByBucket(agg, points).filter((bucket) => bucket.value !== null)
  const value = buckets.at(-1)?.value ?? null
  const previous = buckets.length > 1 ? (buckets.at(-2)?.value ?? null) : null
  return {
    value,
    previous,
    changePercent: changePercent(value, previous),
    trend: buckets.map((bucket) => bucket.value as number),
  }
}

export function changePercent(value: number | null, previous: number | null): number | null {
  if (value === null || previous === null || previous === 0) return null
  return ((value - previous) / Math.abs(previous)) * 100
}

export interface StatThresholds {
  warning?: number | null
  critical?: number | null
  /** above (default): high values are bad; below: low values are bad. */
  direction?: 'above' | 'below'
}

export type StatTone = 'ok' | 'warning' | 'critical' | 'neutral'

export function thresholdTone(value: number | null, thresholds: StatThresholds | undefined): StatTone {
  if (value === null || !thresholds) return 'neutral'
  const { warning, critical } = thresholds
  if (typeof warning !== 'number' && typeof critical !== 'number') return 'neutral'
  const breached = (limit: number | null | undefined) =>
    typeof limit === 'number' && (thresholds.direction === 'below' ? value <= limit : value >= limit)
  if (breached(critical)) return 'critical'
  if (breached(warning)) return 'warning'
  return 'ok'
}

/** Share of a KPI target reached, in percent (null without a target). */
export function targetProgress(value: number | null, target: unknown): number | null {
  if (value === null || typeof target !== 'number' || target === 0) return null
  return (value / target) * 100
}

const compact = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })

export function formatStat(value: number | null, unit?: string): string {
  if (value === null) return '—'
  const text = Math.abs(value) >= 100_000 ? new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(value) : compact.format(value)
  if (!unit) return text
  if (unit === '%' || unit === 'percent') return `${text}%`
  return `${text} ${unit}`
}

export function formatChange(percent: number | null): string {
  if (percent === null) return 'no previous value'
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '±'
  return `${sign}${Math.abs(percent).toFixed(1)}%`
}
