import type { CreateKpiBody, CreateMetricBody } from '../metrics/metrics.schema.ts'

/** What every generator knows about the load: the window of the data, its density and the seed. */
export interface DemoWindow {
  /** First instant of the data (ms). */
  start: number
  /** The end (ms, exclusive): "now" when the load began. */
  end: number
  /** Volume multiplier: event data gets `scale` times more ticks or records. */
  scale: number
  seed: string
}

/** A point as the push API takes it: the metric by name (the loader swaps in the id). */
export interface DemoPoint {
  metric: string
  timestamp: number
  value: number
  dimensions: Record<string, string>
}

export type DemoMetric = CreateMetricBody & { name: string }
/** A KPI on a metric named by its name. */
export type DemoKpi = Omit<CreateKpiBody, 'metricId'> & { metric: string }
