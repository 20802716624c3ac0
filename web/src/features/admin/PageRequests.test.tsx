// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter } from 'react-router-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PageRequests } from './PageRequests.tsx'
import type { RequestLogEntry, RequestLogPage } from './requests/api.ts'

const entry = (overrides: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  id: '7',
  requestId: 'req-7',
  timestamp: '2026-12-05T01:02:03.000Z',
  method: 'POST',
  route: '/api/v1/orgs/:orgId/api-keys',
  path: '/api/v1/orgs/0b6c1f8e-0000-4000-8000-000000000001/api-keys',
  status: 500,
  success: false,
  errorType: 'internal_error',
  durationMs: 42,
  queueTimeMs: 2,
  processingTimeMs: 40,
  responseSizeBytes: 88,
  userId: '5d4c3b2a-0000-4000-8000-000000000002',
  userEmail: 'ada@example.com',
  organizationId: '0b6c1f8e-0000-4000-8000-000000000001',
  organizationName: 'Acme',
  sessionId: 's-1',
  ipAddress: '127.0.0.1',
  userAgent: 'curl/8.5.0',
  clientVersion: '8.5.0',
  correlationId: null,
  traceId: null,
  spanId: null,
  queryParams: null,
  requestHeaders: { authorization: '[redacted]' },
  requestBody: { name: 'ci', password: '[redacted]' },
  responseData: null,
  responseHeaders: null,
  ...overrides,
})

function setup(pages: (url: URL) => RequestLogPage) {
  const urls: URL[] = []
  vi.stubGlobal('fetch', vi.fn(async (raw: string) => {
    const url = new URL(raw, 'http://tessera.test')
    urls.push(url)
    return new Response(JSON.stringify(pages(url)), { status: 200, headers: { 'content-type': 'application/json' } })
  }))
  return { urls, user: userEvent.setup(), ...render(<MemoryRouter initialEntries={['/admin/requests']}><PageRequests /></MemoryRouter>) }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('PageRequests', () => {
  it('lists requests with their status, duration, user and organization, and shows the redacted details', async () => {
    setup(() => ({ requests: [entry()], nextCursor: null, from: '2026-11-28T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' }))
    const row = (await screen.findByText('ada@example.com')).closest('tr') as HTMLElement
    expect(within(row).getByText('500').className).toContain('badge--danger')
    expect(within(row).getByText('internal_error')).toBeTruthy()
    expect(within(row).getByText('42 ms')).toBeTruthy()
    expect(within(row).getByText('Acme')).toBeTruthy()
    expect(within(row).getByText('/api/v1/orgs/:orgId/api-keys')).toBeTruthy()
    expect(row.querySelector('pre')?.textContent).toContain('"password": "[redacted]"')
  })

  it('says what to do when nothing was logged, and sends the chosen filters', async () => {
    const { urls, user } = setup(() => ({ requests: [], nextCursor: null, from: '2026-11-28T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' }))
    expect(await screen.findByText('No requests logged in this time window')).toBeTruthy()
    expect(screen.getByText(/analytics\.enabled/)).toBeTruthy()

    await user.selectOptions(screen.getByLabelText('Status'), '5xx')
    await user.type(screen.getByLabelText('Route'), '/api/v1/me')
    await user.click(screen.getByRole('button', { name: 'Apply filters' }))

    expect(await screen.findByText('No requests match these filters')).toBeTruthy()
    const last = urls[urls.length - 1]!
    expect(last.pathname).toBe('/api/v1/admin/request-logs')
    expect(last.searchParams.get('status')).toBe('5xx')
    expect(last.searchParams.get('route')).toBe('/api/v1/me')
  })
})
