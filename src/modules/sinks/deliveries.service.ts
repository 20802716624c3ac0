import type { Db, Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { listDeliveries, lockDelivery, pendingCounts, resetForRetry, sinkOfPipeline, type DeliveryStatus, type DeliverySummaryRow } from './deliveries.repository.ts'
import type { DeliveryListQuery, DeliveryResponse, SinkDeliveryState } from './deliveries.schema.ts'
import { queueDeliverJob } from './sinks.queue.ts'

/** What the API shows of sink deliveries: each sink's state, its recent deliveries, and manual retries. */

export function toDeliveryResponse(row: DeliverySummaryRow): DeliveryResponse {
  const open = row.status === 'pending' || row.status === 'delivering'
  return {
    id: row.id,
    sinkId: row.sink_id,
    pipelineId: row.pipeline_id,
    executionId: row.execution_id,
    ingestionJobId: row.ingestion_job_id,
    status: row.status as DeliveryStatus,
    recordCount: row.record_count,
    attempts: row.attempts,
    hop: row.hop,
    nextAttemptAt: open ? row.next_attempt_at.toISOString() : null,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    payloadKept: row.has_payload,
    createdAt: row.created_at.toISOString(),
  }
}

/** The delivery-state columns of a sink row, with its pending count. */
export function toSinkDeliveryState(
  row: { last_delivered_at: Date | null; last_error: string | null; last_error_at: Date | null; records_delivered: string; records_failed: string },
  pending: number,
): SinkDeliveryState {
  return {
    pending,
    lastDeliveredAt: row.last_delivered_at?.toISOString() ?? null,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at?.toISOString() ?? null,
    recordsDelivered: Number(row.records_delivered),
    recordsFailed: Number(row.records_failed),
  }
}

/** Pending (or in-flight) deliveries per sink of a pipeline. */
export function pendingDeliveriesBySink(db: Db, orgId: string, pipelineId: string): Promise<Map<string, number>> {
  return pendingCounts(db, orgId, pipelineId)
}

export async function listSinkDeliveries(db: Db, actor: OrgActor, pipelineId: string, sinkId: string, query: DeliveryListQuery): Promise<DeliveryResponse[]> {
  if (!(await sinkOfPipeline(db, actor.orgId, pipelineId, sinkId))) {
    throw notFound('sink')
  }
  const rows = await listDeliveries(db, actor.orgId, sinkId, { ...(query.status && { status: query.status }), limit: query.limit ?? 50, offset: query.offset ?? 0 })
  return rows.map(toDeliveryResponse)
}

/**
 * Retries a failed delivery (the route checks the role): it is pending again at once, with
 * the sink's full number of retries, and the delivery job is queued in this transaction.
 */
export async function retrySinkDelivery(trx: Trx, actor: OrgActor, pipelineId: string, sinkId: string, deliveryId: string): Promise<DeliveryResponse> {
  if (!(await sinkOfPipeline(trx, actor.orgId, pipelineId, sinkId))) {
    throw notFound('sink')
  }
  const delivery = await lockDelivery(trx, actor.orgId, sinkId, deliveryId)
  if (!delivery) {
    throw notFound('delivery')
  }
  if (delivery.status !== 'failed') {
    throw new AppError('conflict', 409, `Only failed deliveries can be retried; this one is ${delivery.status}`)
  }
  if (!delivery.has_payload) {
    throw new AppError('conflict', 409, 'This delivery no longer holds its batch and cannot be retried')
  }
  await resetForRetry(trx, actor.orgId, deliveryId)
  await queueDeliverJob(trx, actor.orgId)
  const [row] = await listDeliveries(trx, actor.orgId, sinkId, { ids: [deliveryId], limit: 1, offset: 0 })
  if (!row) {
    throw new Error('the retried delivery is not visible')
  }
  return toDeliveryResponse(row)
}
