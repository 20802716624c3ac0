// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter, Outlet, Route, Routes } from 'react-router-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OrganizationMembership } from '../auth/types.ts'
import { PageSavedQueries } from './PageSavedQueries.tsx'
import { PageSavedQuery } from './PageSavedQuery.tsx'

// No highlighting editor in jsdom: the page keeps its plain text area, which edits the same text.
vi.mock('./codemirror.ts', () => {
  throw new Error('CodeMirror is not loaded in unit tests')
})

const org: OrganizationMembership = { id: 'org-1', name: 'Initech', slug: 'initech', role: 'member', status: 'active' }

/** A fake API: the organization's data sources, saved queries, preview and create. */
function fakeApi(options: { sources: Array<{ id: string; name: string; type: string }> }) {
  const calls: Array<{ method: string; path: string; body: unknown }> = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const path = url.split('?')[0]!
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
    calls.push({ method, path, body })
    const json = (status: number, answer: unknown) => new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } })
    if (method === 'GET' && path === '/api/v1/orgs/org-1/data-sources') return json(200, { dataSources: options.sources })
    if (method === 'GET' && path === '/api/v1/orgs/org-1/queries') return json(200, { queries: [] })
    if (method === 'POST' && path === '/api/v1/orgs/org-1/queries/preview') {
      return json(200, { columns: [{ name: 'id', type: 'integer' }], rows: [{ id: 7 }, { id: 9 }], rowCount: 2, truncated: false, durationMs: 3, cached: false, asOf: '2024-01-01T00:00:00Z' })
    }
    if (method === 'POST' && path === '/api/v1/orgs/org-1/queries') return json(201, { id: 'q-1', ...body })
    return json(404, { error: { code: 'route_not_found', message: `No route ${method} ${path}` } })
  }))
  return calls
}

function setup(path: string) {
  return {
    user: userEvent.setup(),
    ...render(
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/orgs/:orgId" element={<Outlet context={{ org }} />}>
            <Route path="queries" element={<PageSavedQueries />} />
            <Route path="queries/new" element={<PageSavedQuery />} />
            <Route path="queries/:queryId" element={<p>Saved query page</p>} />
          </Route>
        </Routes>
      </MemoryRouter>,
    ),
  }
}

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('PageSavedQueries', () => {
  it('sends you to add a PostgreSQL or MySQL data source when the organization has none', async () => {
    fakeApi({ sources: [{ id: 's-1', name: 'Webhook', type: 'push' }] })
    setup('/orgs/org-1/queries')
    expect(await screen.findByText('Connect a database first')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Add a data source' }).getAttribute('href')).toBe('/orgs/org-1/data-sources/new')
    expect(screen.queryByRole('link', { name: 'New query' })).toBeNull()
  })
})

describe('PageSavedQuery', () => {
  it('detects parameters in the SQL, checks test values, runs the SQL and saves the query', async () => {
    const calls = fakeApi({ sources: [{ id: 's-1', name: 'Warehouse', type: 'postgresql' }, { id: 's-2', name: 'Webhook', type: 'push' }] })
    const { user } = setup('/orgs/org-1/queries/new')
    await user.type(await screen.findByLabelText('Name'), 'Recent orders')
    expect((screen.getByLabelText('Data source') as HTMLSelectElement).value).toBe('s-1')
    expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual(['Warehouse (PostgreSQL)'])
    const sql = screen.getByRole('textbox', { name: 'SQL' })
    await user.clear(sql)
    // user-event reads { and [ as key descriptors: {{ types one brace.
    await user.type(sql, 'select id from orders where total >= {{{{min_total}} and region = {{{{region}}')
    expect((screen.getByLabelText('Type of min_total') as HTMLSelectElement).value).toBe('number')
    expect((screen.getByLabelText('Type of region') as HTMLSelectElement).value).toBe('text')

    await user.type(screen.getByLabelText('Test value of min_total'), 'lots')
    await user.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByText('Enter a number')).toBeTruthy()
    expect(calls.some((call) => call.path.endsWith('/preview'))).toBe(false)

    await user.clear(screen.getByLabelText('Test value of min_total'))
    await user.type(screen.getByLabelText('Test value of min_total'), '25')
    await user.type(screen.getByLabelText('Test value of region'), 'eu')
    await user.click(screen.getByRole('button', { name: 'Run' }))
    expect(await screen.findByText('Fresh')).toBeTruthy()
    expect(within(screen.getByRole('region', { name: 'Results' })).getAllByRole('row')).toHaveLength(3)
    expect(calls.find((call) => call.path.endsWith('/preview'))?.body).toMatchObject({
      dataSourceId: 's-1',
      parameters: [{ name: 'min_total', type: 'number' }, { name: 'region', type: 'text' }],
      params: { min_total: 25, region: 'eu' },
    })

    await user.click(screen.getByRole('button', { name: 'Save query' }))
    expect(await screen.findByText('Saved query page')).toBeTruthy()
    await waitFor(() => expect(calls.some((call) => call.method === 'POST' && call.path === '/api/v1/orgs/org-1/queries')).toBe(true))
    expect(calls.find((call) => call.method === 'POST' && call.path === '/api/v1/orgs/org-1/queries')?.body).toMatchObject({
      name: 'Recent orders',
      dataSourceId: 's-1',
      parameters: [{ name: 'min_total', type: 'number', default: 25 }, { name: 'region', type: 'text', default: 'eu' }],
    })
  })
})
