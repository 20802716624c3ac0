import { describe, expect, it } from 'vitest'
import type { SinkDeliveryState } from './api.ts'
import { deliveryHealth } from './deliveryHealth.ts'

const STATE: SinkDeliveryState = { pending: 0, lastDeliveredAt: null, lastError: null, lastErrorAt: null, recordsDelivered: 0, recordsFailed: 0 }
const sink = (delivery: Partial<SinkDeliveryState>, isActive = true) => ({ isActive, delivery: { ...STATE, ...delivery } })

describe(deliveryHealth.name, () => {
  it('says nothing was delivered yet for a new sink', () => {
    expect(deliveryHealth(sink({})).kind).toBe('idle')
  })

  it('is healthy when the last outcome was a delivery, even after an earlier error', () => {
    const health = deliveryHealth(sink({ lastDeliveredAt: '2024-05-01T10:05:00Z', lastError: 'HTTP 500', lastErrorAt: '2024-05-01T10:00:00Z', recordsDelivered: 10 }))
    expect(health).toMatchObject({ kind: 'healthy', label: 'Healthy', tone: 'success' })
  })

  it('is healthy while batches wait for their first attempt', () => {
    expect(deliveryHealth(sink({ pending: 3 })).kind).toBe('healthy')
  })

  it('is retrying when the last attempt failed and batches are still pending', () => {
    const health = deliveryHealth(sink({ pending: 2, lastDeliveredAt: '2024-05-01T09:00:00Z', lastError: 'HTTP 503', lastErrorAt: '2024-05-01T10:00:00Z' }))
    expect(health).toMatchObject({ kind: 'retrying', tone: 'warning' })
    expect(health.description).toContain('2 batches are waiting')
  })

  it('is failing when the last attempt failed and nothing is left to retry', () => {
    expect(deliveryHealth(sink({ lastError: 'HTTP 404', lastErrorAt: '2024-05-01T10:00:00Z', recordsFailed: 5 }))).toMatchObject({ kind: 'failing', label: 'Failing', tone: 'danger' })
  })

  it('mentions batches that failed for good before the last delivery', () => {
    expect(deliveryHealth(sink({ lastDeliveredAt: '2024-05-01T10:00:00Z', recordsFailed: 4 })).description).toContain('can be retried')
  })

  it('calls an inactive sink without failures inactive', () => {
    expect(deliveryHealth(sink({ lastDeliveredAt: '2024-05-01T10:00:00Z' }, false)).kind).toBe('inactive')
  })
})
