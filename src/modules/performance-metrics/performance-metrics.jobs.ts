import type { TaskList } from 'graphile-worker'
import type pg from 'pg'
import type pino from 'pino'
import type { Config } from '../../platform/config.ts'
import type { Runtime } from '../../platform/runtime.ts'
import { recordedRun, withOwner } from '../storage/maintenance.ts'

/**
 * telemetry:aggregate-performance (every minute, one at a time): aggregates the request log,
 * the scheduled job runs, ingest and the runtime pool's connections into
 * telemetry.performance_metrics for the periods 1m, 5m, 15m, 1h, 1d and 1w. The work is one SQL
 * function, private.operator_aggregate_performance_metrics (db/migrations/0320 explains the
 * sources, the watermarks and why it runs as tessera_definer); it is owner-only, so this job
 * calls it as the owner role, and each run is recorded in ops.maintenance_runs.
 *
 * Metric names (instance rows, organization_id null; docs/performance-metrics.md):
 *  - http_request_duration_ms {stat: avg|p50|p95|p99}, and {route, method, stat} for the
 *    busiest routes of each bucket (summary, ms, service api)
 *  - http_requests_per_second (gauge, per_second), http_error_rate_percent (5xx share) and
 *    http_client_error_rate_percent (4xx share) (gauge, percent)
 *  - db_pool_connections {application, state} and db_pool_utilization_percent (gauges sampled
 *    each minute, service database; coarser periods average the minute samples)
 *  - job_duration_ms {job, stat: avg|p95|max} and job_runs_total {job, outcome} (service worker)
 *  - ingest_records_per_second {source: pipeline|metric}, and ingest_records_total {source: metric}
 *    (1m: metric points counted from the tables' insert counters between two runs)
 */

export const PERFORMANCE_METRICS_SCHEDULE = ['* * * * * telemetry:aggregate-performance ?max=1']

/** Routes per bucket that get their own latency series (the busiest by request count). */
export const TOP_ROUTES = 20

export interface PeriodAggregation {
  period: string
  windowStart: Date
  windowEnd: Date
  rows: number
}

interface AggregationRow {
  period: string
  window_start: Date
  window_end: Date
  rows_written: number
}

/** One aggregation pass on an owner connection (the job's, or a test's). */
export async function aggregatePerformanceMetrics(
  client: pg.ClientBase,
  options: { environment: string; poolSize: number; topRoutes?: number },
): Promise<PeriodAggregation[]> {
  const { rows } = await client.query<AggregationRow>(
    'select period, window_start, window_end, rows_written from private.operator_aggregate_performance_metrics($1, $2, $3)',
    [options.environment, options.poolSize, options.topRoutes ?? TOP_ROUTES])
  return rows.map((row) => ({ period: row.period, windowStart: row.window_start, windowEnd: row.window_end, rows: row.rows_written }))
}

export function runPerformanceAggregation(ownerUrl: string, config: Pick<Config, 'nodeEnv' | 'databasePoolSize'>) {
  return withOwner(ownerUrl, (client) =>
    recordedRun(client, 'telemetry:aggregate-performance', async () => {
      const periods = await aggregatePerformanceMetrics(client, { environment: config.nodeEnv, poolSize: config.databasePoolSize })
      return { rows: periods.reduce((sum, p) => sum + p.rows, 0) }
    }))
}

export function performanceMetricsTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'telemetry:aggregate-performance': async () => {
      const run = await runPerformanceAggregation(runtime.ownerUrl, runtime.services.config)
      if (run.outcome !== 'succeeded' || (run.result?.rows ?? 0) > 0) {
        logger.debug({ job: 'telemetry:aggregate-performance', outcome: run.outcome, rows: run.result?.rows }, 'performance metrics aggregated')
      }
    },
  }
}
