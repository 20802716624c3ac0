import { addStorageUsed, insertPipelineRows } from '../ingest/pipeline-rows.ts'
import type { ClaimedDelivery } from './deliveries.repository.ts'
import { applyOutcome, DEFAULT_MAX_RETRIES, inTenant, type DeliveryDeps, type DeliveryTenant, type FinalStatus, type Outcome } from './delivery.outcome.ts'
import { enqueueSinkDeliveries, MAX_SINK_HOPS } from './sinks.outbox.ts'
import { findTargetPipeline, insertForwardedJob } from './targets.repository.ts'

/**
 * Pipeline sinks. The records are stored into the target pipeline as they come: the target's
 * mapping is not applied (they were mapped by the pipeline they come from) and their record
 * time is the time they arrive. They go through insertPipelineRows and addStorageUsed, the
 * single write path, as a data_ingestion_jobs row of the target, and then to the target's own
 * active sinks one hop further; at MAX_SINK_HOPS they are stored but not forwarded again, so
 * a cycle of pipeline sinks ends. The target is a pipeline of the same organization (checked
 * when the sink is created, and the foreign key keeps it so). A p2p target stores nothing and
 * only forwards.
 *
 * The store, the forwarding and the delivery's status commit in one transaction: a pipeline
 * sink delivers exactly once.
 */

/** The attempt ends without storing anything, for this reason. */
class NotDelivered extends Error {
  constructor(readonly outcome: Exclude<Outcome, { kind: 'delivered' }>) {
    super(outcome.error)
  }
}

/** The claim expired and another worker holds the delivery: roll back, it delivers. */
class ClaimLost extends Error {}

export async function deliverToPipeline(deps: DeliveryDeps, tenant: DeliveryTenant, claim: ClaimedDelivery & { payload: string }): Promise<FinalStatus> {
  const orgId = claim.organization_id
  const targetId = claim.sink.target_pipeline_id
  try {
    return await inTenant(deps, tenant, async (trx) => {
      const target = targetId ? await findTargetPipeline(trx, orgId, targetId) : undefined
      if (!target) {
        throw new NotDelivered({ kind: 'failed', error: 'The target pipeline no longer exists' })
      }
      if (target.status !== 'active') {
        throw new NotDelivered({ kind: 'retry', error: `The target pipeline is ${target.status}; resume it to receive these records` })
      }
      const jobId = await insertForwardedJob(trx, {
        orgId,
        pipelineId: target.id,
        records: claim.record_count,
        bytes: Buffer.byteLength(claim.payload),
        metadata: { via: 'pipeline_sink', sourcePipelineId: claim.pipeline_id, sinkId: claim.sink_id, deliveryId: claim.id, hop: claim.hop + 1, stored: target.persist_data },
      })
      if (target.persist_data) {
        const inserted = await insertPipelineRows(trx, { orgId, pipelineId: target.id, jobId, documents: claim.payload, recordTimes: null })
        const storage = await addStorageUsed(trx, orgId, inserted.bytes)
        if (!storage.ok) {
          throw new NotDelivered({ kind: 'retry', error: `The organization's storage limit of ${storage.limitGb ?? 0} GB is reached; the records wait until there is room` })
        }
      }
      if (claim.hop + 1 <= MAX_SINK_HOPS) {
        await enqueueSinkDeliveries(trx, { orgId, pipelineId: target.id, batches: [claim.payload], ingestionJobId: jobId, hop: claim.hop + 1 })
      }
      const status = await applyOutcome(trx, deps, claim, { kind: 'delivered' }, DEFAULT_MAX_RETRIES)
      if (status === 'lost') {
        throw new ClaimLost()
      }
      return status
    })
  } catch (error) {
    if (error instanceof ClaimLost) {
      return 'lost'
    }
    // The store rolled back; the attempt is recorded in a transaction of its own.
    const outcome: Outcome = error instanceof NotDelivered ? error.outcome : { kind: 'retry', error: `Storing into the target pipeline failed: ${(error as Error).message}` }
    return inTenant(deps, tenant, (trx) => applyOutcome(trx, deps, claim, outcome, DEFAULT_MAX_RETRIES))
  }
}
