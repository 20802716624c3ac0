// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Kpi, Metric } from './api.ts'
import { KpiForm } from './KpiForm.tsx'

const metric = { id: 'm-1', unit: 'orders', thresholds: { critical: 95 } } as Metric

/** A fake server at the fetch edge: records each request and answers with `answer`. */
function fakeServer(answer: (body: Record<string, unknown>) => [number, unknown]) {
  const requests: Array<{ method: string; url: string; body: Record<string, unknown> }> = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const body = JSON.parse(String(init.body)) as Record<string, unknown>
    requests.push({ method: String(init.method), url, body })
    const [status, json] = answer(body)
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } })
  }))
  return requests
}

function setup(existing?: Kpi) {
  const onSaved = vi.fn()
  return { user: userEvent.setup(), onSaved, ...render(<KpiForm orgId="org-1" metric={metric} existing={existing} onSaved={onSaved} />) }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('KpiForm', () => {
  it('checks the fields before asking the server, and shows each problem next to its input', async () => {
    const requests = fakeServer(() => [201, {}])
    const { user } = setup()
    await user.type(screen.getByLabelText('Alert below (% of the target)'), '80')
    await user.click(screen.getByLabelText('Email'))
    await user.click(screen.getByRole('button', { name: 'Add KPI' }))
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Enter a name')).toBeTruthy()
    expect(screen.getByText('Enter a target value')).toBeTruthy()
    expect(screen.getByText('Choose at least one channel for the alerts')).toBeTruthy()
    expect(requests).toEqual([])
  })

  it('asks for both bounds of a range and sends them with the alert rules', async () => {
    const requests = fakeServer((body) => [201, { id: 'k-1', ...body }])
    const { user, onSaved } = setup()
    await user.type(screen.getByLabelText('Name'), 'Healthy queue')
    await user.selectOptions(screen.getByLabelText('Target type'), 'range')
    expect(screen.queryByLabelText('Target value (orders)')).toBeNull()
    await user.type(screen.getByLabelText('Lower bound (orders)'), '10')
    await user.type(screen.getByLabelText('Upper bound (orders)'), '5')
    await user.click(screen.getByRole('button', { name: 'Add KPI' }))
    expect(screen.getByText('Must be at least the lower bound')).toBeTruthy()
    await user.clear(screen.getByLabelText('Upper bound (orders)'))
    await user.type(screen.getByLabelText('Upper bound (orders)'), '20')
    await user.selectOptions(screen.getByLabelText('Period'), 'weekly')
    await user.click(screen.getByLabelText('Alert when the metric is critical'))
    await user.click(screen.getByLabelText('In-app notification'))
    await user.click(screen.getByRole('button', { name: 'Add KPI' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(requests).toEqual([{
      method: 'POST',
      url: '/api/v1/orgs/org-1/kpis',
      body: { metricId: 'm-1', name: 'Healthy queue', description: null, targetType: 'range', targetValue: 10, targetMax: 20, timePeriod: 'weekly', isActive: true, alertRules: { attainmentPercent: null, onCritical: true, notify: ['email', 'in_app'] } },
    }])
  })

  it("puts the server's validation details under the matching input", async () => {
    fakeServer(() => [400, { error: { code: 'validation_failed', message: 'body.alertRules.attainmentPercent must be <= 1000', details: [{ field: 'body.alertRules.attainmentPercent', message: 'must be <= 1000' }] } }])
    const { user } = setup()
    await user.type(screen.getByLabelText('Name'), 'Orders')
    await user.type(screen.getByLabelText('Target value (orders)'), '100')
    await user.click(screen.getByRole('button', { name: 'Add KPI' }))
    await screen.findByText('Must be <= 1000')
    expect(screen.getByLabelText('Alert below (% of the target)').getAttribute('aria-invalid')).toBe('true')
  })

  it('edits a KPI with a PATCH that keeps the alert rules it does not show', async () => {
    const requests = fakeServer((body) => [200, body])
    const existing: Kpi = {
      id: 'k-9', metricId: 'm-1', name: 'Budget', description: 'Cloud spend', targetValue: 500, targetMax: null, targetType: 'maximum', timePeriod: 'monthly',
      alertRules: { attainmentPercent: 90, notify: ['email'], escalateTo: 'finance' }, isActive: true, createdAt: '', updatedAt: '',
    }
    const { user, onSaved } = setup(existing)
    expect((screen.getByLabelText('Alert above (% of the maximum)') as HTMLInputElement).value).toBe('90')
    await user.clear(screen.getByLabelText('Target value (orders)'))
    await user.type(screen.getByLabelText('Target value (orders)'), '650')
    await user.click(screen.getByRole('button', { name: 'Save KPI' }))
    await waitFor(() => expect(onSaved).toHaveBeenCalled())
    expect(requests[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/orgs/org-1/kpis/k-9', body: { targetValue: 650, alertRules: { attainmentPercent: 90, notify: ['email'], escalateTo: 'finance', onCritical: false } } })
  })
})
