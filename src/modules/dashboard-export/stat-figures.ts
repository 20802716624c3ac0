import type { SeriesResponse } from '../timeseries/series.schema.ts'
import { combine } from './chart-svg.ts'

/**
 * A stat card's figures as the UI shows them (web/src/features/dashboards/statMath.ts): the
 * latest bucket's value, its change against the bucket before, the trend for a sparkline,
 * the colour its warning/critical thresholds give it and the share of its KPI target.
 */

type Point = SeriesResponse['points'][number]
export type StatTone = 'ok' | 'warning' | 'critical' | 'neutral'

export interface StatFigures {
  value: number | null
  changePercent: number | null
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

export function statFigures(series: SeriesResponse, config: Record<string, unknown>): StatFigures {
  const trend = totalsByBucket(series.agg, series.points).filter((value): value is number => value !== null)
  const value = trend.at(-1) ?? null
  const previous = trend.length > 1 ? trend.at(-2)! : null
  const target = config.target
  return {
    value,
    changePercent: value === null || previous === null || previous === 0 ? null : ((value - previous) / Math.abs(previous)) * 100,
    trend,
    tone: toneOf(value, config),
    targetPercent: value === null || typeof target !== 'number' || target === 0 ? null : (value / target) * 100,
  }
}

const BUCKET_WORDS: Record<string, string> = { '1m': 'minute', '5m': '5 minutes', '15m': '15 minutes', '1h': 'hour', '1d': 'day', '1w': 'week', '1mo': 'month' }
export const bucketWord = (bucket: string) => BUCKET_WORDS[bucket] ?? 'period'
