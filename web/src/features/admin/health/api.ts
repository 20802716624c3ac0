/** GET /api/v1/admin/performance-metrics (src/modules/performance-metrics/performance-metrics.schema.ts). */

export type Period = '1m' | '5m' | '15m' | '1h' | '1d' | '1w'

export interface MetricSeries {
  name: string
  labels: Record<string, string>
  unit: string | null
  /** [bucket start (ISO), value], oldest first. */
  points: Array<[string, number]>
}

export interface PerformanceMetrics {
  period: Period
  from: string
  to: string
  asOf: string | null
  series: MetricSeries[]
}
