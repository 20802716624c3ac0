import type { TaskList } from 'graphile-worker'
import { sql } from 'kysely'
import pg from 'pg'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { dataQualityTasks } from '../data-quality/data-quality.jobs.ts'
import { runMetricCalculations } from '../metrics/metrics.jobs.ts'
import { runDataSourceHealthChecks } from '../data-sources/data-sources.jobs.ts'
import { pipelineDataTasks } from '../pipeline-data/pipeline-data.jobs.ts'
import { sinkTasks } from '../sinks/sinks.jobs.ts'
import { timeSeriesTasks } from '../timeseries/timeseries.jobs.ts'
import { STORAGE_SCHEDULE, storageTasks } from '../storage/storage.jobs.ts'
import { workflowTasks } from '../workflows/workflows.jobs.ts'

/**
 * Time-partitioned tables and how far ahead their partitions must exist. The worker creates
 * them ahead so that no insert ever waits for DDL or meets a missing partition.
 */
export const PARTITIONED_TABLES = [
  { table: 'audit.audit_log', granularity: 'month', ahead: 3, behind: 1 },
  { table: 'ingest.pipeline_data', granularity: 'day', ahead: 7, behind: 1 },
  // Points carry their own time: a month of days behind stays writable (older ones go to
  // ts.time_series_late until compression merges them).
  { table: 'ts.time_series_data', granularity: 'day', ahead: 7, behind: 30 },
] as const

/** Cron schedule (graphile-worker crontab syntax). */
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
  ...STORAGE_SCHEDULE,
].join('\n')

/**
 * Job handlers. System jobs that cross tenants go through SECURITY DEFINER functions
 * (auth:cleanup) or the owner role (partition DDL), and nowhere else.
 */
export function buildTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    ...workflowTasks(runtime, logger),
    ...sinkTasks(runtime, logger),
    ...pipelineDataTasks(runtime, logger),
    ...dataQualityTasks(runtime, logger),
    ...timeSeriesTasks(runtime, logger),
    ...storageTasks(runtime, logger),
    'auth:cleanup': async () => {
      const { rows } = await sql<{ kind: string; deleted: string }>`select * from private.cleanup_expired_auth()`.execute(runtime.services.db)
      logger.info({ job: 'auth:cleanup', deleted: Object.fromEntries(rows.map((row) => [row.kind, Number(row.deleted)])) }, 'expired sessions and tokens removed')
    },
    'partitions:maintain': async () => {
      const client = new pg.Client({ connectionString: runtime.ownerUrl })
      await client.connect()
      try {
        for (const { table, granularity, ahead, behind } of PARTITIONED_TABLES) {
          const { rows } = await client.query<{ created: number }>('select ops.ensure_partitions($1, $2, $3, $4) as created', [table, granularity, ahead, behind])
          logger.info({ job: 'partitions:maintain', table, created: rows[0]?.created ?? 0 }, 'partitions ensured')
        }
        // Indexes kept off the partition that takes inserts (ops.deferred_indexes), built once its day is over.
        const { rows } = await client.query<{ built: number }>('select ops.build_deferred_indexes() as built')
        logger.info({ job: 'partitions:maintain', built: rows[0]?.built ?? 0 }, 'deferred indexes built')
      } finally {
        await client.end()
      }
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
    },
    'data-sources:health': async () => {
      const summary = await runDataSourceHealthChecks(runtime.services, logger)
      logger.info({ job: 'data-sources:health', ...summary }, 'data sources checked')
    },
  }
}
