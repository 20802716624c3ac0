import { AsyncLocalStorage } from 'node:async_hooks'
import pg from 'pg'

/**
 * One run of a maintenance or system job at a time across every worker, and the record of each
 * run (duration, outcome, details, error) in ops.maintenance_runs.
 *
 * The guard is a session advisory lock on the job's name, held on a dedicated connection for
 * the job's whole duration: PostgreSQL releases it when the run ends or when the connection
 * drops (a killed worker), so a lock is never left behind. A dedicated connection rather than
 * one from the runtime pool: the job itself needs pool connections, and a pool starved by its
 * own lock holders would deadlock. The run is recorded through that same connection, as the
 * owner role (ops.maintenance_runs is the owner's; the runtime roles only read it).
 */

export type RunOutcomeName = 'succeeded' | 'skipped' | 'failed'

export interface RunOutcome<T> {
  outcome: RunOutcomeName
  result?: T
}

/**
 * Kinds that must not run at the same time as each other, not only one at a time each: they
 * run DDL on the same partitions. Compression and retention detach, archive and drop old
 * partitions (two concurrent detaches of one partition fail, and one would drop the table the
 * other reads); partitions:maintain creates partitions and builds indexes CONCURRENTLY, which
 * deadlocks with compression's lock on a partition (each waits for the other's transaction).
 * Within a group a run waits for the others to finish instead of being skipped: a daily job
 * must not lose its day.
 */
export const LOCK_GROUPS: Readonly<Record<string, string>> = {
  'partitions:maintain': 'partition-ddl',
  'ts:compress': 'partition-ddl',
  'ops:retention': 'partition-ddl',
  'ingest:compress': 'partition-ddl',
}

interface HeldRun {
  job: string
  details: Record<string, unknown>
}

const current = new AsyncLocalStorage<HeldRun>()

/** Adds to the details recorded with the run the caller executes in (ignored outside a recorded run). */
export function reportRunDetails(details: object): void {
  const run = current.getStore()
  if (run) {
    Object.assign(run.details, details)
  }
}

/**
 * The recorded run of `job` the caller already executes in, if any: a job that guards and
 * records itself (ts:compress through recordedRun) runs inside the worker's wrapper, which
 * holds the lock on its own connection; taking it again from another session would skip.
 */
export function heldRun(job: string): HeldRun | undefined {
  const run = current.getStore()
  return run?.job === job ? run : undefined
}

/**
 * Runs fn unless another session holds the job's lock (then records 'skipped'), and records
 * the outcome either way; a failure is recorded and rethrown. `client` holds the lock and
 * writes the record; fn may use it too (an open transaction it leaves behind is rolled back).
 */
export async function lockedRun<T>(client: pg.Client, job: string, fn: () => Promise<T>, resultDetails?: (result: T) => object): Promise<RunOutcome<T>> {
  const started = new Date()
  const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext('tessera:' || $1)) as locked", [job])
  if (!rows[0]?.locked) {
    await record(client, job, started, 'skipped', { reason: 'another run holds the lock' })
    return { outcome: 'skipped' }
  }
  const run: HeldRun = { job, details: {} }
  const group = LOCK_GROUPS[job]
  try {
    if (group) {
      const waitStart = Date.now()
      await client.query("select pg_advisory_lock(hashtext('tessera-group:' || $1))", [group])
      run.details.waitedMs = Date.now() - waitStart
    }
    const result = await current.run(run, fn)
    await record(client, job, started, 'succeeded', { ...run.details, ...resultDetails?.(result) })
    return { outcome: 'succeeded', result }
  } catch (error) {
    // A failed statement of fn may have left a transaction open on this connection.
    await client.query('rollback').catch(() => undefined)
    await record(client, job, started, 'failed', run.details, error instanceof Error ? error.message : String(error)).catch(() => undefined)
    throw error
  } finally {
    if (group) {
      await client.query("select pg_advisory_unlock(hashtext('tessera-group:' || $1))", [group]).catch(() => undefined)
    }
    await client.query("select pg_advisory_unlock(hashtext('tessera:' || $1))", [job]).catch(() => undefined)
  }
}

/** lockedRun on a connection of its own as the owner role, closed when the run ends. */
export async function exclusiveRun<T>(ownerUrl: string, job: string, fn: () => Promise<T>): Promise<RunOutcome<T>> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: `tessera-job ${job}`.slice(0, 63), keepAlive: true })
  // An idle lock holder losing its connection must not crash the worker; the run's own
  // queries fail and report it.
  client.on('error', () => undefined)
  await client.connect()
  try {
    return await lockedRun(client, job, fn)
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function record(client: pg.Client, job: string, started: Date, outcome: RunOutcomeName, details: object, error?: string): Promise<void> {
  const finished = new Date()
  await client.query(
    'insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome, details, error) values ($1, $2, $3, $4, $5, $6, $7)',
    [job, started, finished, Math.max(0, finished.getTime() - started.getTime()), outcome, JSON.stringify(details), error?.slice(0, 4000) ?? null])
}

/** How long runs are kept, and how many successful runs of one job at most (every-minute jobs). */
export const RUNS_KEEP_DAYS = 30
export const RUNS_KEEP_SUCCEEDED_PER_JOB = 1_000

/**
 * Keeps ops.maintenance_runs bounded. Every run is recorded, no-op runs of every-minute jobs
 * included: a recent row per job is how an operator sees that the worker is alive and how long
 * the job takes, and "the last 1,000 runs" beats "the last run that happened to do something"
 * when a job misbehaves. Runs older than 30 days go; so do successful runs beyond the newest
 * 1,000 of their job (about 17 hours of an every-minute job). Failures and skips, the rare
 * and interesting ones, stay their 30 days.
 */
export async function pruneMaintenanceRuns(client: pg.Client, now = new Date()): Promise<number> {
  const { rowCount } = await client.query(
    `with ranked as (
       select r.id, r.started_at, r.outcome,
              row_number() over (partition by r.job, r.outcome order by r.started_at desc, r.id desc) as n
         from ops.maintenance_runs r)
     delete from ops.maintenance_runs m using ranked k
      where m.id = k.id and (k.started_at < $1::timestamptz - make_interval(days => $2) or (k.outcome = 'succeeded' and k.n > $3))`,
    [now, RUNS_KEEP_DAYS, RUNS_KEEP_SUCCEEDED_PER_JOB])
  return rowCount ?? 0
}
