import type { Aggregation, Kpi, SeriesPoint, Thresholds, TimePeriod } from './api.ts'

/** The time range picker's choices. */
export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const
export type RangeKey = keyof typeof RANGES

export function rangeFor(key: RangeKey, now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - RANGES[key]), to: now }
}

/** The current period of a KPI in local time: [start, end). Weeks start on Monday. */
export function periodRange(period: TimePeriod, now: Date): { from: Date; to: Date } {
  const y = now.getFullYear()
  const m = now.getMonth()
  const d = now.getDate()
  switch (period) {
    case 'daily':
      return { from: new Date(y, m, d), to: new Date(y, m, d + 1) }
    case 'weekly': {
      const back = (now.getDay() + 6) % 7
      return { from: new Date(y, m, d - back), to: new Date(y, m, d - back + 7) }
    }
    case 'monthly':
      return { from: new Date(y, m, 1), to: new Date(y, m + 1, 1) }
    case 'quarterly': {
      const q = Math.floor(m / 3) * 3
      return { from: new Date(y, q, 1), to: new Date(y, q + 3, 1) }
    }
  }
}

/**
 * Combines buckets into one value with the metric's aggregation: sums add, counts add the
 * bucket counts, min/max of the extremes, avg weighted by each bucket's count (an average of
 * averages would overweight sparse buckets). Null when there are no points.
 */
export function combine(points: readonly SeriesPoint[], aggregation: Aggregation): number | null {
  if (points.length === 0) {
    return null
  }
  switch (aggregation) {
    case 'sum':
      return points.reduce((sum, p) => sum + p.value, 0)
    case 'count':
      return points.reduce((sum, p) => sum + p.count, 0)
    case 'min':
      return Math.min(...points.map((p) => p.min))
    case 'max':
      return Math.max(...points.map((p) => p.max))
    case 'avg': {
      const count = points.reduce((sum, p) => sum + p.count, 0)
      return count === 0 ? null : points.reduce((sum, p) => sum + p.value * p.count, 0) / count
    }
  }
}

export interface Attainment {
  /** Whether the period's value meets the target. */
  met: boolean
  /** Progress towards the target, 0–1+ (minimum: value / target; maximum: how far under). */
  ratio: number
  text: string
}

/** Up to four decimals (numeric(15,4)), grouped as the reader's locale groups them. */
export function formatNumber(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 4 })
}

export function attainment(kpi: Pick<Kpi, 'targetType' | 'targetValue' | 'targetMax'>, value: number | null): Attainment | null {
  const target = kpi.targetValue
  if (value === null || target === null) {
    return null
  }
  const ratio = target === 0 ? (value === 0 ? 1 : 0) : value / target
  const t = formatNumber(target)
  switch (kpi.targetType) {
    case 'minimum':
      return { met: value >= target, ratio, text: `${Math.round(ratio * 100)}% of the minimum ${t}` }
    case 'maximum':
      return { met: value <= target, ratio, text: value <= target ? `${Math.round(ratio * 100)}% of the maximum ${t}` : `over the maximum ${t}` }
    case 'exact':
      return { met: value === target, ratio, text: `${Math.round(ratio * 100)}% of the target ${t}` }
    case 'range': {
      const max = kpi.targetMax ?? target
      const met = value >= target && value <= max
      const bounds = `${t}–${formatNumber(max)}`
      return { met, ratio, text: met ? `within ${bounds}` : value < target ? `below the range ${bounds}` : `above the range ${bounds}` }
    }
  }
}

export type Level = 'ok' | 'warning' | 'critical'

/** How a value stands against the metric's thresholds (direction above: higher is worse). */
export function thresholdLevel(value: number | null, thresholds: Thresholds): Level {
  if (value === null) {
    return 'ok'
  }
  const worse = (limit: number | null | undefined) => limit != null && (thresholds.direction === 'below' ? value <= limit : value >= limit)
  return worse(thresholds.critical) ? 'critical' : worse(thresholds.warning) ? 'warning' : 'ok'
}

/** The curl example of the push help section. */
export function curlExample(origin: string, orgId: string, metricId: string, now: Date): string {
  return [
    `curl -X POST '${origin}/api/v1/orgs/${orgId}/metrics/${metricId}/points' \\`,
    `  -H 'Authorization: Bearer tsk_…' -H 'Content-Type: application/json' \\`,
    `  -H 'Idempotency-Key: batch-0001' \\`,
    `  -d '[{"timestamp": "${now.toISOString()}", "value": 42.5, "dimensions": {"region": "eu"}}]'`,
  ].join('\n')
}
