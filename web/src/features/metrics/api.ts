import { api } from '../../lib/api.ts'

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

export type KpiChannel = 'email' | 'in_app'

/**
 * alert_rules as the KPI form writes them (KpiAlertRules in metrics.schema.ts). Other keys
 * may be present (the column is free JSON); the form keeps them.
 */
export interface KpiAlertRules {
  /** minimum, exact, range: alert under this percent of the target; maximum: over this percent of it. */
  attainmentPercent?: number | null
  /** Alert when the metric's latest value crosses its critical threshold. */
  onCritical?: boolean
  notify?: KpiChannel[]
  [key: string]: unknown
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
  alertRules: KpiAlertRules
  isActive: boolean
  createdAt: string
  updatedAt: string
}

/** POST /orgs/{orgId}/kpis and PATCH …/kpis/{kpiId} bodies. */
export type KpiInput = Omit<Kpi, 'id' | 'createdAt' | 'updatedAt'>

export const kpisApi = {
  create: (orgId: string, body: KpiInput) => api.post<Kpi>(`/orgs/${orgId}/kpis`, body),
  update: (orgId: string, kpiId: string, body: Partial<KpiInput>) => api.patch<Kpi>(`/orgs/${orgId}/kpis/${kpiId}`, body),
  remove: (orgId: string, kpiId: string) => api.delete(`/orgs/${orgId}/kpis/${kpiId}`),
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
