import type { Trx } from '../../platform/db.ts'
import { hasActiveSinks, insertDeliveries } from './deliveries.repository.ts'
import { queueDeliverJob } from './sinks.queue.ts'

/**
 * The one way into the sink delivery outbox, for every path that accepts a batch: the ingest
 * API and webhooks (ingest.service), pipeline runs (the sinks stage) and pipeline sinks
 * (which forward what they stored to the target's own sinks).
 */

/** A batch that reached a pipeline through this many pipeline sinks is not forwarded again. */
export const MAX_SINK_HOPS = 5

export interface OutboxEntry {
  orgId: string
  pipelineId: string
  /** Texts of JSON arrays of (mapped) records: one delivery per active sink per batch; empty ones are skipped. */
  batches: string[]
  executionId?: string | null
  ingestionJobId?: string | null
  /** Pipeline sinks passed before this pipeline (0 for a push or a run). */
  hop?: number
  /** When the job should look (default now); a run delivers inline first and only wakes the job later. */
  wakeAt?: Date
}

/**
 * Inserts one outbox row per active sink per batch and queues the sinks:deliver job, in the
 * caller's transaction: the one that stores the batch (or, for a pipeline that keeps no data,
 * the one that accepts it). Once it commits, the batch will be delivered even if this process
 * dies the next instant. Returns the deliveries made (none without active sinks).
 */
export async function enqueueSinkDeliveries(trx: Trx, entry: OutboxEntry): Promise<Array<{ id: string; sink_id: string }>> {
  const hop = entry.hop ?? 0
  if (entry.batches.length === 0 || hop > MAX_SINK_HOPS) {
    return []
  }
  // Checked first so that a pipeline without sinks (the common case) never parses its batch twice.
  if (!(await hasActiveSinks(trx, entry.orgId, entry.pipelineId))) {
    return []
  }
  const rows = await insertDeliveries(trx, {
    orgId: entry.orgId,
    pipelineId: entry.pipelineId,
    batches: `[${entry.batches.join(',')}]`,
    executionId: entry.executionId ?? null,
    ingestionJobId: entry.ingestionJobId ?? null,
    hop,
  })
  if (rows.length > 0) {
    await queueDeliverJob(trx, entry.orgId, entry.wakeAt)
  }
  return rows
}
