import type { TaskList } from 'graphile-worker'
import { sql } from 'kysely'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { dataQualityTasks } from '../data-quality/data-quality.jobs.ts'
import { runMetricCalculations, runMetricIdempotencyCleanup } from '../metrics/metrics.jobs.ts'
import { runDataSourceHealthChecks } from '../data-sources/data-sources.jobs.ts'
import { PIPELINE_DATA_SCHEDULE, pipelineDataTasks } from '../pipeline-data/pipeline-data.jobs.ts'
import { sinkTasks } from '../sinks/sinks.jobs.ts'
import { timeSeriesTasks } from '../timeseries/timeseries.jobs.ts'
import { STORAGE_SCHEDULE, storageTasks } from '../storage/storage.jobs.ts'
import { withOwner } from '../storage/maintenance.ts'
import { workflowTasks } from '../workflows/workflows.jobs.ts'
import { exclusiveKinds, withExclusiveRuns } from './exclusive-tasks.ts'
import { pruneMaintenanceRuns, reportRunDetails } from './job-runs.ts'
import { maintainPartitions, type PartitionedTable } from './partitions.ts'
import { ANALYTICS_VIEWS_SCHEDULE, analyticsViewsTasks } from '../analytics-views/analytics-views.jobs.ts'
import { BACKUP_SCHEDULE, backupTasks } from '../backup/backup.jobs.ts'
import { PERFORMANCE_METRICS_SCHEDULE, performanceMetricsTasks } from '../performance-metrics/performance-metrics.jobs.ts'

/**
 * Time-partitioned tables and how many partitions behind today they keep. The worker creates
 * them ahead (system settings partitions.days_ahead / partitions.months_ahead, by granularity)
 * so that no insert ever waits for DDL or meets a missing partition.
 */
export const PARTITIONED_TABLES: ReadonlyArray<PartitionedTable> = [
  { table: 'audit.audit_log', granularity: 'month', behind: 1 },
  { table: 'ingest.pipeline_data', granularity: 'day', behind: 1 },
  // Points carry their own time: a month of days behind stays writable (older ones go to
  // ts.time_series_late until compression merges them).
  { table: 'ts.time_series_data', granularity: 'day', behind: 30 },
  // Log tables by month (db/migrations/0180, 0182); ops.maintain_partitions keeps the same list.
  { table: 'telemetry.tool_usage_logs', granularity: 'month', behind: 1 },
  { table: 'telemetry.error_logs', granularity: 'month', behind: 1 },
  { table: 'telemetry.performance_metrics', granularity: 'month', behind: 1 },
  { table: 'telemetry.query_performance_logs', granularity: 'month', behind: 1 },
  { table: 'telemetry.dashboard_usage_logs', granularity: 'month', behind: 1 },
  { table: 'telemetry.request_logs', granularity: 'month', behind: 1 },
]

/**
 * Cron schedule (graphile-worker crontab syntax). Every kind listed here runs one at a time
 * across workers and is recorded in ops.maintenance_runs (exclusive-tasks.ts), unless it is
 * one of PARALLEL_SCHEDULED_KINDS.
 */
export const JOB_SCHEDULE = [
  '*/15 * * * * auth:cleanup ?max=1',
  '17 * * * * partitions:maintain ?max=1',
  '* * * * * mail:deliver ?max=1',
  '*/5 * * * * data-sources:health ?max=1',
  '* * * * * workflows:schedule ?max=1',
  '* * * * * sinks:deliver ?max=1',
  '47 * * * * sinks:cleanup ?max=1',
  '* * * * * pipeline-data:rollup ?max=1',
  '* * * * * ts:rollup ?max=1',
  '23 3 * * * pipeline-data:retention ?max=1',
  '41 * * * * ingest:idempotency-cleanup ?max=1',
  '* * * * * data-quality:freshness ?max=1',
  '37 4 * * * data-quality:cleanup ?max=1',
  '* * * * * metrics:calculate ?max=1',
  '43 * * * * metrics:idempotency-cleanup ?max=1',
  '11 * * * * ops:runs-cleanup ?max=1',
  ...STORAGE_SCHEDULE,
  ...PIPELINE_DATA_SCHEDULE,
  ...ANALYTICS_VIEWS_SCHEDULE,
  ...BACKUP_SCHEDULE,
  ...PERFORMANCE_METRICS_SCHEDULE,
].join('\n')

/**
 * Job handlers. System jobs that cross tenants go through SECURITY DEFINER functions
 * (auth:cleanup) or the owner role (partition DDL), and nowhere else.
 */
export function buildTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return withExclusiveRuns(runtime.ownerUrl, exclusiveKinds(JOB_SCHEDULE), {
    ...workflowTasks(runtime, logger),
    ...sinkTasks(runtime, logger),
    ...pipelineDataTasks(runtime, logger),
    ...dataQualityTasks(runtime, logger),
    ...timeSeriesTasks(runtime, logger),
    ...storageTasks(runtime, logger),
    ...analyticsViewsTasks(runtime, logger),
    ...backupTasks(runtime, logger),
    ...performanceMetricsTasks(runtime, logger),
    'auth:cleanup': async () => {
      const { rows } = await sql<{ kind: string; deleted: string }>`select * from private.cleanup_expired_auth()`.execute(runtime.services.db)
      const deleted = Object.fromEntries(rows.map((row) => [row.kind, Number(row.deleted)]))
      logger.info({ job: 'auth:cleanup', deleted }, 'expired sessions and tokens removed')
      reportRunDetails({ deleted })
    },
    'partitions:maintain': async () => {
      await maintainPartitions(runtime, logger, PARTITIONED_TABLES)
    },
    'mail:deliver': async () => {
      const sent = await runtime.services.mailer.deliver(runtime.services.db)
      if (sent > 0) {
        logger.info({ job: 'mail:deliver', sent }, 'mail delivered')
      }
    },
    'metrics:calculate': async () => {
      const summary = await runMetricCalculations(runtime.services, logger)
      if (summary.calculated + summary.failed > 0) {
        logger.info({ job: 'metrics:calculate', ...summary }, 'metrics calculated')
      }
      reportRunDetails(summary)
    },
    'metrics:idempotency-cleanup': async () => {
      const deleted = await runMetricIdempotencyCleanup(runtime.services)
      logger.info({ job: 'metrics:idempotency-cleanup', deleted }, 'expired metric idempotency keys deleted')
      reportRunDetails({ deleted })
    },
    'ops:runs-cleanup': async () => {
      const deleted = await withOwner(runtime.ownerUrl, (client) => pruneMaintenanceRuns(client))
      reportRunDetails({ deleted })
    },
    'data-sources:health': async () => {
      const summary = await runDataSourceHealthChecks(runtime.services, logger)
      logger.info({ job: 'data-sources:health', ...summary }, 'data sources checked')
    },
  })
}
