export type Aggregation = 'sum' | 'avg' | 'count' | 'min' | 'max'
export type MetricSource = 'push' | 'pipeline' | 'data_source'
export type TargetType = 'exact' | 'minimum' | 'maximum' | 'range'
export type TimePeriod = 'daily' | 'weekly' | 'monthly' | 'quarterly'

export interface Thresholds {
  warning?: number | null
  critical?: number | null
  direction?: 'above' | 'below'
}

export interface Metric {
  id: string
  name: string
  displayName: string
  description: string | null
  unit: string
  aggregationType: Aggregation
  source: MetricSource
  pipelineId: string | null
  valuePath: string | null
  dimensionPaths: Record<string, string>
  dataSourceId: string | null
  calculationMethod: string
  refreshFrequency: number
  thresholds: Thresholds
  tags: string[]
  isActive: boolean
  compressAfterDays: number | null
  rawRetentionDays: number | null
  lastCalculatedAt: string | null
  lastCalculationError: string | null
  createdAt: string
  updatedAt: string
}

export interface Kpi {
  id: string
  metricId: string
  name: string
  description: string | null
  targetValue: number | null
  targetMax: number | null
  targetType: TargetType
  timePeriod: TimePeriod
  alertRules: Record<string, unknown>
  isActive: boolean
}

/** GET …/metrics/{metricId}/series (the timeseries module). */
export interface SeriesPoint {
  t: string
  value: number
  count: number
  min: number
  max: number
  group?: string
}

export interface Series {
  bucket: string
  source: 'rollup' | 'raw' | 'mixed' | 'compressed'
  asOf: string
  points: SeriesPoint[]
}

export const SOURCE_LABELS: Record<MetricSource, string> = { push: 'Pushed', pipeline: 'Pipeline field', data_source: 'SQL calculation' }
