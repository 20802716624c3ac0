import type pino from 'pino'
import { withContext, type Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { markDelivered, markFailed, markRetry, noteSinkOutcome, type ClaimedDelivery } from './deliveries.repository.ts'
import { queueDeliverJob } from './sinks.queue.ts'

/** How one attempt ended, and how that is recorded on the delivery and its sink. */

export type Outcome =
  | { kind: 'delivered'; statusCode?: number }
  /** Worth trying again (5xx, 408, 429, network, timeouts): retried with backoff up to the sink's maxRetries. */
  | { kind: 'retry'; error: string; statusCode?: number; retryAfterMs?: number }
  /** Trying again can't help (another 4xx, a refused address, bad data): failed until a person retries it. */
  | { kind: 'failed'; error: string; statusCode?: number }

/** Where the delivery stands after the attempt; `lost` when its claim expired and another worker took it. */
export type FinalStatus = 'delivered' | 'retrying' | 'failed' | 'lost'

export interface DeliveryDeps {
  services: Pick<Services, 'db' | 'box' | 'settings'>
  logger: pino.Logger
  /** First retry delay (default 5 s): attempt n waits about base × 2^(n-1), capped, with jitter. */
  retryBaseMs?: number
  /** Longest retry delay (default 10 min). */
  retryCapMs?: number
}

/** The member a delivery acts as inside its organization (see private.due_sink_deliveries). */
export interface DeliveryTenant {
  orgId: string
  userId: string
}

/** A tenant transaction of the delivery code: the policies apply as to the acting member. */
export function inTenant<T>(deps: DeliveryDeps, tenant: DeliveryTenant, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return withContext(deps.services.db, { orgId: tenant.orgId, userId: tenant.userId, requestId: 'job:sinks:deliver' }, fn)
}

/** Retries of a sink whose configuration names none (PostgreSQL and pipeline sinks). */
export const DEFAULT_MAX_RETRIES = 5
const RETRY_BASE_MS = 5_000
const RETRY_CAP_MS = 600_000
const MAX_ERROR_LENGTH = 2000

/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed, half random, so
 * retries of many deliveries that failed together (a receiver's outage) spread out.
 */
export function backoffMs(attempt: number, baseMs = RETRY_BASE_MS, capMs = RETRY_CAP_MS, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * Records the attempt in the caller's tenant transaction: the delivery's status, the sink's
 * counters and last error, and for a retry the job that will make it. Attempt n (1-based,
 * counted at the claim) is retried while n <= maxRetries, so a sink gets maxRetries + 1 tries.
 */
export async function applyOutcome(trx: Trx, deps: DeliveryDeps, claim: ClaimedDelivery, outcome: Outcome, maxRetries: number): Promise<FinalStatus> {
  const orgId = claim.organization_id
  const statusCode = outcome.statusCode ?? null
  if (outcome.kind === 'delivered') {
    // A pipeline that keeps no data (p2p) keeps none in its outbox either once delivered.
    if (!(await markDelivered(trx, claim, { statusCode, dropPayload: !claim.persist_data }))) {
      return 'lost'
    }
    await noteSinkOutcome(trx, orgId, claim.sink_id, { deliveredRecords: claim.record_count })
    return 'delivered'
  }
  const error = outcome.error.slice(0, MAX_ERROR_LENGTH)
  if (outcome.kind === 'retry' && claim.attempts <= maxRetries) {
    const delayMs = Math.min(Math.max(backoffMs(claim.attempts, deps.retryBaseMs, deps.retryCapMs), outcome.retryAfterMs ?? 0), deps.retryCapMs ?? RETRY_CAP_MS)
    const next = await markRetry(trx, claim, { error, statusCode, delayMs })
    if (!next) {
      return 'lost'
    }
    await noteSinkOutcome(trx, orgId, claim.sink_id, { error, failedRecords: 0 })
    await queueDeliverJob(trx, orgId, next)
    return 'retrying'
  }
  const final = outcome.kind === 'retry' ? `${error} (gave up after ${claim.attempts} attempts)` : error
  if (!(await markFailed(trx, claim, { error: final, statusCode }))) {
    return 'lost'
  }
  await noteSinkOutcome(trx, orgId, claim.sink_id, { error: final, failedRecords: claim.record_count })
  return 'failed'
}
