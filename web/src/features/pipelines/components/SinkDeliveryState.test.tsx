// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Sink, SinkDeliveryState as State } from '../api.ts'
import { SinkDeliveryState } from './SinkDeliveryState.tsx'

afterEach(cleanup)

const STATE: State = { pending: 0, lastDeliveredAt: null, lastError: null, lastErrorAt: null, recordsDelivered: 0, recordsFailed: 0 }
const sink = (delivery: Partial<State>) => ({ id: 's-1', isActive: true, delivery: { ...STATE, ...delivery } }) as unknown as Sink

describe('SinkDeliveryState', () => {
  it('shows a retrying sink with what is pending and the last error', () => {
    render(<SinkDeliveryState sink={sink({ pending: 3, lastError: 'HTTP 503 Service Unavailable', lastErrorAt: new Date().toISOString(), recordsDelivered: 1200 })} />)
    expect(screen.getByText('Retrying')).toBeTruthy()
    expect(screen.getByText(/3 pending · never delivered · 1,200 records/)).toBeTruthy()
    expect(screen.getByText(/Last error .*: HTTP 503 Service Unavailable/)).toBeTruthy()
  })

  it('shows a failing sink and how many records failed for good', () => {
    render(<SinkDeliveryState sink={sink({ lastError: 'HTTP 404', lastErrorAt: new Date().toISOString(), recordsFailed: 7 })} />)
    expect(screen.getByText('Failing')).toBeTruthy()
    expect(screen.getByText(/7 failed/)).toBeTruthy()
  })
})
