import { decryptSinkConfig, type PostgresSinkConfig, type WebhookSinkConfig } from '../pipelines/sinks.service.ts'
import { claimDeliveries, dueSinkDeliveries, type ClaimedDelivery } from './deliveries.repository.ts'
import { applyOutcome, DEFAULT_MAX_RETRIES, inTenant, type DeliveryDeps, type DeliveryTenant, type FinalStatus, type Outcome } from './delivery.outcome.ts'
import { deliverToPipeline } from './pipeline.delivery.ts'
import { deliverToPostgres } from './postgres.delivery.ts'
import { deliverWebhook } from './webhook.delivery.ts'

/**
 * Delivering the outbox. Each delivery is claimed in a short tenant transaction (status
 * delivering, with a lease), delivered outside any transaction (a slow receiver holds no
 * connection and no lock), and its outcome recorded in another one. A worker that dies
 * mid-delivery leaves the row delivering until the lease ends; then it is claimed again, so a
 * batch is delivered at least once (receivers dedupe on X-Tessera-Delivery).
 */

/** Longer than the slowest attempt: a webhook's timeout is at most 60 s, a PostgreSQL insert 10 s to connect + 30 s. */
const LEASE_SECONDS = 300
/** Pipelines delivered at once by one job. */
const CONCURRENCY = 4
/** Attempts one job makes at most; the next job (or the sweeper) goes on. */
const MAX_ATTEMPTS_PER_JOB = 1000

export type DeliverySummary = Record<FinalStatus | 'skipped', number>

/** Delivers one claimed delivery and records how it went. */
export async function deliverClaimed(deps: DeliveryDeps, tenant: DeliveryTenant, claim: ClaimedDelivery): Promise<FinalStatus> {
  const record = (outcome: Outcome, maxRetries = DEFAULT_MAX_RETRIES) => inTenant(deps, tenant, (trx) => applyOutcome(trx, deps, claim, outcome, maxRetries))
  const payload = claim.payload
  if (payload === null) {
    return record({ kind: 'failed', error: 'The batch is no longer kept' })
  }
  let config
  try {
    config = decryptSinkConfig(claim.sink, deps.services.box)
  } catch (error) {
    deps.logger.error({ err: error, sinkId: claim.sink_id }, 'sink configuration can not be decrypted')
    return record({ kind: 'failed', error: "The sink's configuration can't be decrypted (was the secret key changed?)" })
  }
  let outcome: Outcome
  let maxRetries = DEFAULT_MAX_RETRIES
  try {
    switch (claim.sink.sink_type) {
      case 'webhook': {
        const webhook = config as WebhookSinkConfig
        maxRetries = webhook.maxRetries ?? DEFAULT_MAX_RETRIES
        outcome = await deliverWebhook(deps.services, webhook, { id: claim.id, attempts: claim.attempts, payload })
        break
      }
      case 'postgresql':
        outcome = await deliverToPostgres(deps.services, config as PostgresSinkConfig, { payload })
        break
      case 'pipeline':
        return await deliverToPipeline(deps, tenant, { ...claim, payload })
      default:
        outcome = { kind: 'failed', error: `Unknown sink type ${claim.sink.sink_type}` }
    }
  } catch (error) {
    outcome = { kind: 'retry', error: (error as Error).message }
  }
  return record(outcome, maxRetries)
}

/**
 * sinks:deliver: every due delivery of one organization (the job queued with a batch), or of
 * all of them (the every-minute sweeper). Finding them across organizations is the only
 * cross-tenant step (private.due_sink_deliveries); each pipeline's deliveries are then
 * claimed and recorded in tenant transactions as its creator, or an owner.
 */
export async function deliverDue(deps: DeliveryDeps, scope: { orgId?: string } = {}, options: { maxAttempts?: number } = {}): Promise<DeliverySummary> {
  const targets = await dueSinkDeliveries(deps.services.db, scope.orgId ?? null)
  const summary: DeliverySummary = { delivered: 0, retrying: 0, failed: 0, lost: 0, skipped: 0 }
  let budget = options.maxAttempts ?? MAX_ATTEMPTS_PER_JOB
  let next = 0
  const worker = async () => {
    while (next < targets.length) {
      const target = targets[next++]!
      if (!target.acting_user_id) {
        // No active member can act for the organization any more.
        summary.skipped++
        continue
      }
      const tenant: DeliveryTenant = { orgId: target.organization_id, userId: target.acting_user_id }
      try {
        // One at a time: a claim's lease covers one attempt.
        while (budget > 0) {
          const [claim] = await inTenant(deps, tenant, (trx) => claimDeliveries(trx, tenant.orgId, { pipelineId: target.pipeline_id }, 1, LEASE_SECONDS))
          if (!claim) {
            break
          }
          budget--
          summary[await deliverClaimed(deps, tenant, claim)]++
        }
      } catch (error) {
        deps.logger.error({ err: error, orgId: tenant.orgId, pipelineId: target.pipeline_id }, 'sink deliveries of a pipeline could not be processed')
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker))
  return summary
}

/**
 * One attempt at each of these deliveries, now (a run's sinks stage). Deliveries another
 * worker holds, past `limit` or after an abort are left to the sinks:deliver job.
 */
export async function deliverNow(deps: DeliveryDeps, tenant: DeliveryTenant, ids: string[], options: { limit: number; signal?: AbortSignal }): Promise<Map<string, FinalStatus>> {
  const statuses = new Map<string, FinalStatus>()
  const remaining = new Set(ids)
  while (remaining.size > 0 && statuses.size < options.limit && !options.signal?.aborted) {
    const [claim] = await inTenant(deps, tenant, (trx) => claimDeliveries(trx, tenant.orgId, { ids: [...remaining] }, 1, LEASE_SECONDS))
    if (!claim) {
      break
    }
    remaining.delete(claim.id)
    statuses.set(claim.id, await deliverClaimed(deps, tenant, claim))
  }
  return statuses
}
