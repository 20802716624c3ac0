import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'

/**
 * The graphile-worker jobs of sink delivery, added with SQL inside the caller's transaction so
 * that the outbox rows and the job that delivers them commit (or roll back) together.
 *
 * One job key per organization for "deliver now" (new batches, manual retries): re-adding it
 * while it waits only moves it, so a burst of batches makes one job, not thousands; re-adding
 * it while it runs makes a new one, so nothing committed after the running job's scan is
 * missed. Retries wait on a second key (`…:later`, run_at = when the next one is due) so a
 * backoff never postpones a new batch. The every-minute sweeper (no orgId) catches anything
 * else, such as a job that was lost.
 */

export const DELIVER_TASK = 'sinks:deliver'
export const CLEANUP_TASK = 'sinks:cleanup'

export interface DeliverJobPayload {
  orgId?: string
}

/** The handler catches each delivery's errors; a job only fails when the database does. */
const DELIVER_JOB_MAX_ATTEMPTS = 5

export const deliverJobKey = (orgId: string, later: boolean) => `${DELIVER_TASK}:${orgId}${later ? ':later' : ''}`

/** Queues the delivery of an organization's due deliveries, now or at `runAt`. */
export async function queueDeliverJob(db: Db, orgId: string, runAt?: Date): Promise<void> {
  await sql`
    select graphile_worker.add_job(
      ${DELIVER_TASK},
      json_build_object('orgId', ${orgId}::text),
      run_at := ${runAt?.toISOString() ?? null}::timestamptz,
      max_attempts := ${DELIVER_JOB_MAX_ATTEMPTS},
      job_key := ${deliverJobKey(orgId, runAt !== undefined)})`.execute(db)
}
