import type { TaskList } from 'graphile-worker'
import { sql } from 'kysely'
import pg from 'pg'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'

/** Cron schedule (graphile-worker crontab syntax). */
export const JOB_SCHEDULE = [
  '*/15 * * * * auth:cleanup ?max=1',
  '17 3 * * * audit:partitions ?max=1',
  '* * * * * mail:deliver ?max=1',
].join('\n')

/**
 * Job handlers. System jobs that cross tenants go through SECURITY DEFINER functions
 * (auth:cleanup) or the owner role (partition DDL), and nowhere else.
 */
export function buildTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'auth:cleanup': async () => {
      const { rows } = await sql<{ kind: string; deleted: string }>`select * from private.cleanup_expired_auth()`.execute(runtime.services.db)
      logger.info({ job: 'auth:cleanup', deleted: Object.fromEntries(rows.map((row) => [row.kind, Number(row.deleted)])) }, 'expired sessions and tokens removed')
    },
    'audit:partitions': async () => {
      const client = new pg.Client({ connectionString: runtime.ownerUrl })
      await client.connect()
      try {
        const { rows } = await client.query<{ created: number }>("select ops.ensure_partitions('audit.audit_log', 'month', 3, 1) as created")
        logger.info({ job: 'audit:partitions', created: rows[0]?.created ?? 0 }, 'audit partitions ensured')
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
  }
}
