import { EventEmitter } from 'node:events'
import { hostname } from 'node:os'
import { Logger, run, runMigrations, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker'
import { sql } from 'kysely'
import pg from 'pg'
import type pino from 'pino'
import type { ErrorRecorder } from '../../platform/error-recorder.ts'
import { jobDuration, jobRuns } from '../../platform/metrics.ts'
import type { Runtime } from '../../platform/runtime.ts'
import { JOB_SCHEDULE, buildTasks } from './jobs.tasks.ts'
import { recordJobFailure } from './job-errors.ts'

const HEARTBEAT_MS = 15_000
/** A worker silent this long is presumed dead (kill -9) and its jobs are unlocked for retry. */
const DEAD_AFTER_MS = 90_000

export interface JobRunnerOptions {
  /** How often this worker writes its heartbeat and looks for dead workers (default 15 s). */
  heartbeatMs?: number
  /** Silence after which a worker is presumed dead (default 90 s); keep it several heartbeats long. */
  deadAfterMs?: number
  /** Extra task handlers (tests), merged over the built-in ones. */
  tasks?: TaskList
  /** How often graphile-worker polls when LISTEN/NOTIFY is quiet (default 2 s). */
  pollIntervalMs?: number
  /**
   * Jobs this worker runs at once (default 4): a pipeline run can take minutes and must not hold
   * up mail or maintenance. Runs themselves are capped instance-wide by max_concurrent_workflows.
   */
  concurrency?: number
}

/**
 * Installs graphile-worker's schema as the owner role (DDL), grants it to the runtime
 * role, and runs the queue as the runtime role. graphile-worker only reclaims a killed
 * worker's jobs after 4 hours, so each worker writes a heartbeat and unlocks the jobs of
 * workers whose heartbeat stopped: a job held by a killed worker is retried within ~2 min.
 */
export async function startJobRunner(runtime: Runtime, logger: pino.Logger, options: JobRunnerOptions = {}): Promise<{ workerId: string; stop(): Promise<void> }> {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  const deadAfterMs = options.deadAfterMs ?? DEAD_AFTER_MS
  await installQueueSchema(runtime.ownerUrl)
  const tasks = instrument({ ...buildTasks(runtime, logger), ...options.tasks }, runtime.services.errors)
  const pool = runtime.database.pool
  if (pool.listenerCount('connect') === 0) {
    pool.on('connect', (client) => client.on('error', (error) => logger.error({ err: error }, 'database client error')))
  }
  // graphile-worker 0.17 locks jobs with the id of its worker pool (random, `pool-…`), not with
  // a configurable worker id, so the heartbeat is keyed by that id: it is what
  // force_unlock_workers must be given. The pool announces itself while run() starts.
  const events: WorkerEvents = new EventEmitter()
  let poolId: string | undefined
  events.on('pool:create', ({ workerPool }) => {
    poolId = workerPool.id
  })
  const runner: Runner = await run({
    pgPool: runtime.database.pool,
    taskList: tasks,
    events,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    crontab: JOB_SCHEDULE,
    logger: queueLogger(logger),
    // Check every minute (not the default 8-10 min) for jobs locked longer than graphile's own limit.
    minResetLockedInterval: 60_000,
    maxResetLockedInterval: 120_000,
  } as Parameters<typeof run>[0])

  if (!poolId) {
    await runner.stop()
    throw new Error('graphile-worker did not report its worker pool id')
  }
  const workerId = poolId

  const beat = async () => {
    await sql`insert into ops.worker_heartbeats (worker_id, hostname, pid, started_at, last_seen_at)
              values (${workerId}, ${hostname()}, ${process.pid}, now(), now())
              on conflict (worker_id) do update set last_seen_at = now()`.execute(runtime.services.db)
    const dead = await sql<{ worker_id: string }>`
      delete from ops.worker_heartbeats where last_seen_at < now() - make_interval(secs => ${deadAfterMs / 1000})
      returning worker_id`.execute(runtime.services.db)
    if (dead.rows.length > 0) {
      const { makeWorkerUtils } = await import('graphile-worker')
      const utils = await makeWorkerUtils({ pgPool: runtime.database.pool })
      try {
        await utils.forceUnlockWorkers(dead.rows.map((row) => row.worker_id))
        logger.warn({ workers: dead.rows.map((row) => row.worker_id) }, 'unlocked jobs of workers that stopped sending heartbeats')
      } finally {
        await utils.release()
      }
    }
  }
  await beat()
  // One beat at a time, and stop() waits for the running one: a late beat must not
  // re-insert the heartbeat row after stop() removed it.
  let beating: Promise<void> | undefined
  const timer = setInterval(() => {
    beating ??= beat()
      .catch((error: unknown) => logger.error({ err: error }, 'worker heartbeat failed'))
      .finally(() => {
        beating = undefined
      })
  }, heartbeatMs)
  // Partitions first: the audit log must never meet a month without a partition.
  await runner.addJob('partitions:maintain', {}, { jobKey: 'partitions:maintain:startup' })

  return {
    workerId,
    async stop() {
      clearInterval(timer)
      await beating
      await runner.stop()
      await runtime.services.errors.close()
      await sql`delete from ops.worker_heartbeats where worker_id = ${workerId}`.execute(runtime.services.db).catch(() => undefined)
    },
  }
}

/** Routes graphile-worker's own messages into the structured log (routine ones at debug). */
function queueLogger(logger: pino.Logger): Logger {
  return new Logger((scope) => (level, message, meta) => {
    const fields = { queue: scope, ...meta }
    if (level === 'error') {
      logger.error(fields, message)
    } else if (level === 'warning') {
      logger.warn(fields, message)
    } else {
      logger.debug(fields, message)
    }
  })
}

/** Every failed run is counted and recorded in telemetry.error_logs (recordJobFailure), then rethrown for graphile-worker's retries. */
function instrument(tasks: TaskList, errors: ErrorRecorder): TaskList {
  const wrapped: TaskList = {}
  for (const [name, task] of Object.entries(tasks)) {
    if (!task) {
      continue
    }
    wrapped[name] = async (payload, helpers) => {
      const end = jobDuration.startTimer({ task: name })
      try {
        await task(payload, helpers)
        jobRuns.inc({ task: name, outcome: 'success' })
      } catch (error) {
        jobRuns.inc({ task: name, outcome: 'failure' })
        recordJobFailure(errors, name, payload, helpers, error)
        throw error
      } finally {
        end()
      }
    }
  }
  return wrapped
}

/**
 * graphile-worker's schema, installed as the owner role and granted to the runtime role. The
 * API needs it too: it queues jobs (pipeline runs) in its own transactions.
 */
export async function installQueueSchema(ownerUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 })
  // graphile-worker warns about pools without error handlers; an idle owner connection
  // dropping must not crash the process.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  try {
    await runMigrations({ pgPool: pool })
    const client = await pool.connect()
    try {
      await client.query(`
        grant usage on schema graphile_worker to tessera_runtime;
        grant select, insert, update, delete on all tables in schema graphile_worker to tessera_runtime;
        grant usage, select, update on all sequences in schema graphile_worker to tessera_runtime;
        grant execute on all functions in schema graphile_worker to tessera_runtime;`)
      // graphile-worker enables RLS on its private tables so that only their owner can use
      // them; the queue holds no tenant data, so the runtime role gets an explicit policy.
      const { rows } = await client.query<{ name: string }>(
        `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity
            and not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'tessera_runtime_queue')`)
      for (const { name } of rows) {
        await client.query(`create policy tessera_runtime_queue on graphile_worker.${client.escapeIdentifier(name)} to tessera_runtime using (true) with check (true)`)
      }
    } finally {
      client.release()
    }
  } finally {
    await pool.end()
  }
}
