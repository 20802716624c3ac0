import { combine, type SeriesPoint } from '../explore/chartOption.ts'
import type { StatComparison } from './api.ts'

/**
 * A stat card's figures (issue 5), as Metabase's and Grafana's stat panels show them: the value
 * over the whole range, its change against the period of the same length just before it (both
 * from the answer's comparison, computed by the server: src/modules/widget-data/stat-comparison.ts),
 * the range's buckets as a sparkline, and the colour its thresholds give it.
 */

export interface StatFigures {
  value: number | null
  /** Over the period before the range; null when it had no data (or the answer has no comparison). */
  previous: number | null
  /** Percent change against the previous period; null when there is none or it was 0. */
  changePercent: number | null
  /** What the change is against: "previous 24 h" (the range's length), "previous period" without a comparison. */
  against: string
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

/**
 * The figures of a stat card's answer. Without a comparison (the server answers one for every
 * stat card of a dashboard and for a preview that asks) the value is still the aggregation over
 * the answer's points, the way the server computes it, with no change.
 */
export function statFigures(agg: string, points: SeriesPoint[], comparison?: StatComparison): StatFigures {
  const buckets = totalsByBucket(agg, points).filter((bucket) => bucket.value !== null)
  const value = comparison ? comparison.value : combine(agg === 'count' ? 'sum' : agg, points)
  const previous = comparison?.previous ?? null
  return {
    value,
    previous,
    changePercent: changePercent(value, previous),
    against: comparison ? `previous ${periodLength(new Date(comparison.to).getTime() - new Date(comparison.from).getTime())}` : 'previous period',
    trend: buckets.map((bucket) => bucket.value as number),
  }
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A range's length as a person says it: 15 min, 24 h, 36 h, 7 d, 2 d 3 h (the PDF says the same: dashboard-export/stat-figures.ts). */
export function periodLength(ms: number): string {
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`
  const units: Array<[number, string]> = ms >= 2 * DAY ? [[DAY, 'd'], [HOUR, 'h']] : ms >= HOUR ? [[HOUR, 'h'], [MINUTE, 'min']] : [[MINUTE, 'min']]
  let rest = Math.round(ms / MINUTE) * MINUTE
  const words: string[] = []
  for (const [unit, name] of units) {
    const count = Math.floor(rest / unit)
    if (count > 0) words.push(`${count} ${name}`)
    rest -= count * unit
  }
  return words.join(' ')
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

/**
 * Whether a change is good news: a rise is, unless the card's thresholds say high values are
 * bad (direction "above", the default of a warning or critical level), as for page load time.
 */
export function changeTone(changePercent: number | null, thresholds: StatThresholds | undefined): 'good' | 'bad' | 'flat' {
  if (changePercent === null || changePercent === 0) return 'flat'
  const levels = thresholds !== undefined && (typeof thresholds.warning === 'number' || typeof thresholds.critical === 'number')
  const highIsBad = levels && thresholds.direction !== 'below'
  return changePercent > 0 !== highIsBad ? 'good' : 'bad'
}

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

/** The change with its sign; an em dash when there is none (no data before, or it was 0). */
export function formatChange(percent: number | null): string {
  if (percent === null) return '—'
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '±'
  return `${sign}${Math.abs(percent).toFixed(1)}%`
}
