// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Kpi, Metric } from './api.ts'
import { KpiSection } from './KpiSection.tsx'

const metric = { id: 'm-1', unit: 'orders', aggregationType: 'sum', thresholds: {} } as Metric
const saved: Kpi = {
  id: 'k-1', metricId: 'm-1', name: 'Daily orders', description: null, targetValue: 100, targetMax: null, targetType: 'minimum', timePeriod: 'daily',
  alertRules: { attainmentPercent: 50, onCritical: false, notify: ['email'] }, isActive: true, createdAt: '', updatedAt: '2024-01-01T00:00:00Z',
}

/** A fake API: the KPI list (empty until a POST), the period's series (30 + 10 orders), POST and DELETE. */
function fakeApi() {
  let kpis: Kpi[] = []
  const calls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const path = url.split('?')[0]
    calls.push(`${method} ${path}`)
    const json = (status: number, body: unknown) => new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    if (method === 'GET' && path === '/api/v1/orgs/org-1/kpis') {
      return json(200, { kpis })
    }
    if (method === 'GET' && path === '/api/v1/orgs/org-1/metrics/m-1/series') {
      const p = (value: number) => ({ t: new Date().toISOString(), value, count: 1, min: value, max: value })
      return json(200, { bucket: '5m', source: 'raw', asOf: new Date().toISOString(), points: [p(30), p(10)] })
    }
    if (method === 'POST' && path === '/api/v1/orgs/org-1/kpis') {
      kpis = [saved]
      return json(201, saved)
    }
    if (method === 'DELETE' && path === '/api/v1/orgs/org-1/kpis/k-1') {
      kpis = []
      return json(204, null)
    }
    return json(404, { error: { code: 'route_not_found', message: `No route ${method} ${path}` } })
  }))
  return calls
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('KpiSection', () => {
  it('leads from the empty state to a new KPI and shows its attainment this period, then deletes it after confirmation', async () => {
    const calls = fakeApi()
    const user = userEvent.setup()
    render(<KpiSection orgId="org-1" metric={metric} writer />)
    await user.click(await screen.findByRole('button', { name: 'Add a KPI' }))
    await user.type(screen.getByLabelText('Name'), 'Daily orders')
    await user.type(screen.getByLabelText('Target value (orders)'), '100')
    await user.click(screen.getByRole('button', { name: 'Add KPI' }))

    const card = await screen.findByRole('listitem', { name: 'Daily orders' })
    await waitFor(() => expect(card.querySelector('.kpi-value')?.textContent).toBe('40 orders'))
    expect(within(card).getByText('Alert')).toBeTruthy()
    expect(within(card).getByText('40% of the minimum 100: under 50% of the target')).toBeTruthy()
    expect(within(card).getByRole('progressbar', { name: 'Attainment of Daily orders' }).getAttribute('aria-valuenow')).toBe('40')
    expect(within(card).getByText('at least 100 orders')).toBeTruthy()

    await user.click(within(card).getByRole('button', { name: 'Delete KPI Daily orders' }))
    expect(calls).not.toContain('DELETE /api/v1/orgs/org-1/kpis/k-1')
    await user.click(within(card).getByRole('button', { name: 'Confirm delete KPI Daily orders' }))
    await screen.findByText('No KPIs on this metric yet')
    expect(calls).toContain('DELETE /api/v1/orgs/org-1/kpis/k-1')
  })

  it('offers viewers no way to change KPIs', async () => {
    fakeApi()
    render(<KpiSection orgId="org-1" metric={metric} writer={false} />)
    expect(await screen.findByText('Owners, admins and members can add KPIs.')).toBeTruthy()
    await waitFor(() => expect(screen.queryByRole('button')).toBeNull())
  })
})
