import type { Tone } from '../../components/StatusBadge.tsx'
import type { DeliveryStatus, Sink, SinkDeliveryState } from './api.ts'

/** A sink's delivery state in one word, kept pure so it is tested without a browser. */

export type DeliveryHealthKind = 'inactive' | 'idle' | 'healthy' | 'retrying' | 'failing'

export interface DeliveryHealth {
  kind: DeliveryHealthKind
  label: string
  tone: Tone
  /** What the badge means, for its title and for screen readers. */
  description: string
}

const time = (value: string | null) => (value === null ? Number.NEGATIVE_INFINITY : new Date(value).getTime())

/**
 * healthy: the latest outcome was a delivery (or nothing failed yet); retrying: the latest attempt
 * failed and batches are still pending, so the outbox tries again; failing: the latest attempt
 * failed and nothing is pending, so batches failed for good and wait for a manual retry.
 */
export function deliveryHealth(sink: Pick<Sink, 'isActive'> & { delivery: SinkDeliveryState }): DeliveryHealth {
  const state = sink.delivery
  const lastFailed = state.lastError !== null && time(state.lastErrorAt) > time(state.lastDeliveredAt)
  if (lastFailed && state.pending > 0) {
    return { kind: 'retrying', label: 'Retrying', tone: 'warning', description: `The last attempt failed; ${state.pending} ${state.pending === 1 ? 'batch is' : 'batches are'} waiting for a retry.` }
  }
  if (lastFailed) {
    return { kind: 'failing', label: 'Failing', tone: 'danger', description: 'The last attempt failed and no retry is left: retry the failed deliveries once the receiver is fixed.' }
  }
  if (!sink.isActive) {
    return { kind: 'inactive', label: 'Inactive', tone: 'muted', description: 'The sink gets no new batches.' }
  }
  if (state.lastDeliveredAt === null && state.pending === 0) {
    return { kind: 'idle', label: 'No deliveries yet', tone: 'muted', description: 'Each batch the pipeline accepts is delivered here.' }
  }
  return {
    kind: 'healthy',
    label: 'Healthy',
    tone: 'success',
    description: state.recordsFailed > 0 ? 'The last delivery succeeded; some earlier batches failed for good and can be retried.' : 'The last delivery succeeded.',
  }
}

export const DELIVERY_STATUS: Record<DeliveryStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Pending', tone: 'info' },
  delivering: { label: 'Delivering', tone: 'running' },
  delivered: { label: 'Delivered', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
}
