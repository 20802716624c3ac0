import type { Db } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import { listInstanceMetricRows, newestBucket } from './performance-metrics.repository.ts'
import type { Period, PerformanceMetricsQuery, PerformanceMetricsResponse } from './performance-metrics.schema.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
export const MAX_RANGE_DAYS = 400

/** The period that keeps a chart of this range at or under about 500 points. */
export function periodForRange(rangeMs: number): Period {
  if (rangeMs <= 6 * HOUR_MS) {
    return '1m'
  }
  if (rangeMs <= 36 * HOUR_MS) {
    return '5m'
  }
  if (rangeMs <= 2 * DAY_MS) {
    return '15m'
  }
  if (rangeMs <= 14 * DAY_MS) {
    return '1h'
  }
  return '1d'
}

/**
 * The instance's performance series over [from, to) (instance administrators: the caller's
 * transaction is already checked). One series per metric name and label set.
 */
export async function readPerformanceMetrics(db: Db, query: PerformanceMetricsQuery, now = new Date()): Promise<PerformanceMetricsResponse> {
  const to = query.to ? new Date(query.to) : now
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS)
  if (from.getTime() >= to.getTime()) {
    throw new AppError('invalid_time_range', 400, '`from` must be before `to`')
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new AppError('invalid_time_range', 400, `The range may span at most ${MAX_RANGE_DAYS} days`)
  }
  const period = query.period ?? periodForRange(to.getTime() - from.getTime())
  const names = query.names ? [...new Set(query.names.split(','))] : undefined
  const [rows, asOf] = await Promise.all([listInstanceMetricRows(db, { period, from, to, names }), newestBucket(db, period)])

  const series = new Map<string, PerformanceMetricsResponse['series'][number]>()
  for (const row of rows) {
    const labels = toLabels(row.labels)
    const key = `${row.metric_name} ${JSON.stringify(Object.entries(labels).sort())}`
    let entry = series.get(key)
    if (!entry) {
      entry = { name: row.metric_name, labels, unit: row.unit, points: [] }
      series.set(key, entry)
    }
    entry.points.push([new Date(row.timestamp).toISOString(), Number(row.metric_value)])
  }
  return { period, from: from.toISOString(), to: to.toISOString(), asOf: asOf?.toISOString() ?? null, series: [...series.values()] }
}

function toLabels(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {}
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
}
