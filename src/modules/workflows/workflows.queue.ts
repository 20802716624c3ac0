import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * The graphile-worker jobs of workflow runs. Jobs are added with SQL inside the caller's
 * transaction, so a run and its job commit (or roll back) together. One job key per
 * execution: re-adding it while the job runs (a retry with backoff, a wait for a free slot)
 * makes a new job and retires the running one, so an execution never has two live jobs.
 */

export const RUN_TASK = 'workflows:run'
export const SCHEDULE_TASK = 'workflows:schedule'

export interface RunJobPayload {
  orgId: string
  executionId: string
}

/** graphile-worker retries a handler that throws (lost database, a bug); the run itself retries by its own rules. */
const RUN_JOB_MAX_ATTEMPTS = 5

export const runJobKey = (executionId: string) => `${RUN_TASK}:${executionId}`

/** Queues the job that runs an execution, at `runAt` (default now). Lower priority numbers run first. */
export async function enqueueRun(db: Db, payload: RunJobPayload, options: { runAt?: Date; priority?: number } = {}): Promise<void> {
  await sql`
    select graphile_worker.add_job(
      ${RUN_TASK},
      json_build_object('orgId', ${payload.orgId}::text, 'executionId', ${payload.executionId}::text),
      run_at := ${options.runAt?.toISOString() ?? null}::timestamptz,
      max_attempts := ${RUN_JOB_MAX_ATTEMPTS},
      job_key := ${runJobKey(payload.executionId)},
      priority := ${options.priority ?? 0})`.execute(db)
}

/** Removes an execution's job unless a worker holds it (that one sees the run ended and stops). */
export async function removeRunJob(db: Db, executionId: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${runJobKey(executionId)})`.execute(db)
}

/** Whether the queue still holds a job (waiting, running or failed-and-retrying) for the execution. */
export async function runJobExists(db: Db, executionId: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from graphile_worker.jobs where key = ${runJobKey(executionId)} and attempts < max_attempts) as found`.execute(db)
  return rows[0]?.found ?? false
}
