import { isStorableJson } from '../ingest/pipeline-rows.ts'
import { deliveriesByIds, sinksByIds } from './deliveries.repository.ts'
import { deliverNow } from './delivery.engine.ts'
import { inTenant, type DeliveryDeps, type DeliveryTenant } from './delivery.outcome.ts'
import { enqueueSinkDeliveries } from './sinks.outbox.ts'

/**
 * The sinks stage of a pipeline run: the run's rows go into the outbox in batches, one
 * delivery per active sink per batch, and each delivery is attempted once, inline. Whatever
 * is not delivered then (a receiver down, a delivery past the inline limit) is left to the
 * retrying sinks:deliver job, which is queued with the deliveries but wakes a little later so
 * that the inline attempt normally comes first.
 */

/** Records per delivery: a run may hold a million rows; a receiver gets them in slices. */
export const RUN_BATCH_RECORDS = 1000
/** Deliveries attempted inline by one run; the job takes the rest. */
const INLINE_LIMIT = 100
const JOB_GRACE_MS = 30_000

export interface SinkForwarding {
  sinkId: string
  sinkType: string
  name: string | null
  deliveries: number
  records: number
  delivered: number
  retrying: number
  failed: number
  /** Not attempted inline (another worker holds it, or past the inline limit): the job delivers it. */
  queued: number
  lastError: string | null
}

export interface RunForwarding {
  /** Records times sinks. */
  recordDeliveries: number
  deliveredRecords: number
  failedRecords: number
  unstorable: number
  sinks: SinkForwarding[]
}

export async function forwardRunRows(
  deps: DeliveryDeps,
  tenant: DeliveryTenant,
  input: { pipelineId: string; executionId: string; documents: string[]; signal?: AbortSignal },
): Promise<RunForwarding> {
  // The outbox holds jsonb: rows PostgreSQL can't store (\u0000, lone surrogates) can't go.
  const documents = input.documents.filter(isStorableJson)
  const batches: string[] = []
  for (let start = 0; start < documents.length; start += RUN_BATCH_RECORDS) {
    batches.push(`[${documents.slice(start, start + RUN_BATCH_RECORDS).join(',')}]`)
  }
  const created = await inTenant(deps, tenant, (trx) =>
    enqueueSinkDeliveries(trx, { orgId: tenant.orgId, pipelineId: input.pipelineId, executionId: input.executionId, batches, wakeAt: new Date(Date.now() + JOB_GRACE_MS) }),
  )
  const ids = created.map((row) => row.id)
  await deliverNow(deps, tenant, ids, { limit: INLINE_LIMIT, ...(input.signal && { signal: input.signal }) })
  const [rows, sinks] = await inTenant(deps, tenant, async (trx) => [
    await deliveriesByIds(trx, tenant.orgId, ids),
    await sinksByIds(trx, tenant.orgId, [...new Set(created.map((row) => row.sink_id))]),
  ] as const)
  const bySink = new Map<string, SinkForwarding>(
    sinks.map((sink) => [sink.id, { sinkId: sink.id, sinkType: sink.sink_type, name: sink.name, deliveries: 0, records: 0, delivered: 0, retrying: 0, failed: 0, queued: 0, lastError: null }]),
  )
  const result: RunForwarding = { recordDeliveries: 0, deliveredRecords: 0, failedRecords: 0, unstorable: input.documents.length - documents.length, sinks: [...bySink.values()] }
  for (const row of rows) {
    const entry = bySink.get(row.sink_id)
    if (!entry) {
      continue
    }
    entry.deliveries++
    entry.records += row.record_count
    result.recordDeliveries += row.record_count
    if (row.status === 'delivered') {
      entry.delivered += row.record_count
      result.deliveredRecords += row.record_count
    } else if (row.status === 'failed' || row.last_error !== null) {
      entry[row.status === 'failed' ? 'failed' : 'retrying'] += row.record_count
      entry.lastError = row.last_error
      result.failedRecords += row.record_count
    } else {
      entry.queued += row.record_count
    }
  }
  return result
}
