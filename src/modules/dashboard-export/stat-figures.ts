import type { SeriesResponse } from '../timeseries/series.schema.ts'
import type { StatComparison } from '../widget-data/widget-data.schema.ts'
import { combine } from './chart-svg.ts'

/**
 * A stat card's figures as the UI shows them (web/src/features/dashboards/statMath.ts): the
 * value over the whole range and its change against the period of the same length before it
 * (the answer's comparison), the trend for a sparkline, the colour its warning/critical
 * thresholds give it and the share of its KPI target.
 */

type Point = SeriesResponse['points'][number]
export type StatTone = 'ok' | 'warning' | 'critical' | 'neutral'

export interface StatFigures {
  value: number | null
  changePercent: number | null
  /** What the change is against: "previous 24 h", or "previous period" without a comparison. */
  against: string
  trend: number[]
  tone: StatTone
  targetPercent: number | null
}

/** Buckets of a grouped series merged into one value each with the query's aggregation. */
function totalsByBucket(agg: string, points: Point[]): Array<number | null> {
  const byTime = new Map<string, Point[]>()
  for (const point of points) byTime.set(point.t, [...(byTime.get(point.t) ?? []), point])
  return [...byTime.entries()]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .map(([, group]) => (group.length === 1 ? (group[0]?.value ?? null) : combine(agg === 'count' ? 'sum' : agg, group)))
}

function thresholdsOf(config: Record<string, unknown>): { warning?: unknown; critical?: unknown; direction?: unknown } {
  const stored = config.thresholds
  if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) return stored as Record<string, unknown>
  return { warning: config.warning, critical: config.critical }
}

function toneOf(value: number | null, config: Record<string, unknown>): StatTone {
  const { warning, critical, direction } = thresholdsOf(config)
  if (value === null || (typeof warning !== 'number' && typeof critical !== 'number')) return 'neutral'
  const breached = (limit: unknown) => typeof limit === 'number' && (direction === 'below' ? value <= limit : value >= limit)
  if (breached(critical)) return 'critical'
  if (breached(warning)) return 'warning'
  return 'ok'
}

/**
 * The figures of an answer. Without a comparison (an answer from before stat cards carried
 * one) the value is still the range's aggregation, over the answer's points, with no change.
 */
export function statFigures(series: SeriesResponse, config: Record<string, unknown>, comparison?: StatComparison): StatFigures {
  const trend = totalsByBucket(series.agg, series.points).filter((value): value is number => value !== null)
  const value = comparison ? comparison.value : combine(series.agg === 'count' ? 'sum' : series.agg, series.points)
  const previous = comparison?.previous ?? null
  const target = config.target
  return {
    value,
    changePercent: value === null || previous === null || previous === 0 ? null : ((value - previous) / Math.abs(previous)) * 100,
    against: comparison ? `previous ${periodLength(Date.parse(comparison.to) - Date.parse(comparison.from))}` : 'previous period',
    trend,
    tone: toneOf(value, config),
    targetPercent: value === null || typeof target !== 'number' || target === 0 ? null : (value / target) * 100,
  }
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** A range's length as a person says it: 15 min, 24 h, 36 h, 7 d, 2 d 3 h (as statMath.ts's periodLength). */
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
