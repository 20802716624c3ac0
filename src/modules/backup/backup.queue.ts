import { sql } from 'kysely'
import type { Db, Trx } from '../../platform/db.ts'

/**
 * "Back up now" as a graphile-worker job: writing a backup of a big database takes minutes,
 * longer than a request may wait behind a proxy. The API queues the job (backup:manual, one
 * attempt: a failed backup is the admin's to retry, with its error in front of them) and the
 * worker writes it (backup.jobs.ts), recording each run in ops.maintenance_runs with the
 * written backup's name or the error. The Backups page polls GET /admin/backups for both.
 */

export const MANUAL_BACKUP_TASK = 'backup:manual'

export interface ManualBackupPayload {
  requestedBy: string
}

export interface QueuedBackup {
  id: string
  created_at: Date
  locked_at: Date | null
}

export interface ManualBackupRun {
  outcome: 'succeeded' | 'failed'
  started_at: Date
  finished_at: Date
  details: { backup?: string; deleted?: string[] } | null
  error: string | null
}

/**
 * The manual backup waiting for a worker or being written (a job failed for good is neither).
 * graphile-worker deletes a finished job a moment after the task returns, so a locked job whose
 * run is already recorded as finished is done too.
 */
export async function pendingManualBackup(db: Db): Promise<QueuedBackup | undefined> {
  const { rows } = await sql<QueuedBackup>`
    select j.id::text as id, j.created_at, j.locked_at from graphile_worker.jobs j
     where j.task_identifier = ${MANUAL_BACKUP_TASK} and (j.locked_at is not null or j.attempts < j.max_attempts)
       and not exists (select 1 from ops.maintenance_runs r
                        where r.job = ${MANUAL_BACKUP_TASK} and r.outcome in ('succeeded', 'failed') and r.finished_at >= j.locked_at)
     order by j.id desc limit 1`.execute(db)
  return rows[0]
}

/** The latest finished manual backup run (a run skipped because another held the lock is not one). */
export async function lastManualBackupRun(db: Db): Promise<ManualBackupRun | undefined> {
  const { rows } = await sql<ManualBackupRun>`
    select r.outcome, r.started_at, r.finished_at, r.details, r.error from ops.maintenance_runs r
     where r.job = ${MANUAL_BACKUP_TASK} and r.outcome in ('succeeded', 'failed')
     order by r.started_at desc, r.id desc limit 1`.execute(db)
  return rows[0]
}

/**
 * Queues a manual backup unless one is already queued or running (then answers that one and
 * `queued: false`). A transaction-scoped advisory lock makes two admins' clicks queue one job.
 * Jobs that failed for good are removed: their error stays in ops.maintenance_runs.
 */
export async function queueManualBackup(trx: Trx, payload: ManualBackupPayload): Promise<{ queued: boolean; job: QueuedBackup }> {
  await sql`select pg_advisory_xact_lock(hashtext('tessera:backup:manual:queue'))`.execute(trx)
  const pending = await pendingManualBackup(trx)
  if (pending) return { queued: false, job: pending }
  await sql`
    select graphile_worker.complete_jobs(array(
      select j.id from graphile_worker.jobs j where j.task_identifier = ${MANUAL_BACKUP_TASK} and j.locked_at is null and j.attempts >= j.max_attempts))`.execute(trx)
  const { rows } = await sql<QueuedBackup>`
    select j.id::text as id, j.created_at, j.locked_at
      from graphile_worker.add_job(${MANUAL_BACKUP_TASK}, ${JSON.stringify(payload)}::json, max_attempts := 1) j`.execute(trx)
  return { queued: true, job: rows[0]! }
}
