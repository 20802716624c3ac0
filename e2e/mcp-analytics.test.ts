import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshAnalyticsViews } from '../src/modules/analytics-views/analytics-views.jobs.ts'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../test/tenancy.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The MCP analytics page: an agent's calls through the SDK client, and an external server's
 * failed call through the logging API, show up as figures, per tool and in the searchable list.
 */
describe('MCP analytics page', () => {
  let app: BrowserApp
  let owner: Session
  let org: OrgFixture

  beforeAll(async () => {
    app = await startBrowserApp('mcp-analytics')
    await app.ctx.admin.query("update app.system_settings set setting_value = '200' where setting_key = 'analytics.flush_interval_ms'")
    await setupAdmin(app.ctx.app)
    owner = await registerUser(app.ctx.app)
    org = await createOrg(app.ctx.app, owner, { name: 'Agents Inc' })
    const key = (await createApiKey(app.ctx.app, org, ['read'])).key
    await app.ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: owner.headers, payload: { name: 'agent.requests', displayName: 'Agent requests' } })

    const client = new Client({ name: 'claude-code', version: '2.1.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${app.baseUrl}/mcp`), { requestInit: { headers: bearer(key) } }))
    for (let i = 0; i < 3; i += 1) await client.callTool({ name: 'list_metrics', arguments: {} })
    await client.callTool({ name: 'list_dashboards', arguments: { search: 'revenue' } })
    await client.callTool({ name: 'query_metric', arguments: { metricId: 'not-a-uuid' } })
    await client.close()
    const external = await app.ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/tool-calls`,
      headers: owner.headers,
      payload: { calls: [{ server: 'crm-mcp', tool: 'find_contact', durationMs: 1200, success: false, error: { message: 'CRM timed out', code: 'timeout' }, parameters: { email: 'a@example.com' } }] },
    })
    expect(external.statusCode).toBe(200)
  })

  afterAll(async () => {
    await app?.close()
  })

  it('shows the figures, the tools, the errors and the searchable calls', async () => {
    await expect.poll(async () => Number((await app.ctx.admin.query('select count(*) as n from telemetry.tool_usage_logs where organization_id = $1', [org.id])).rows[0].n), { timeout: 5_000 }).toBe(6)
    // The worker's 5-minute refresh of the summary views: the current hour still comes from the live log.
    expect((await refreshAnalyticsViews(app.ctx.testDb.ownerUrl)).outcome).toBe('succeeded')
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto(`/orgs/${org.id}/dashboards`)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'MCP analytics' }).click()
      await page.waitForURL(/\/mcp-analytics$/)
      await visible(page.getByRole('heading', { name: 'MCP analytics' }))

      const figures = page.getByRole('region', { name: 'Figures' })
      await visible(figures.getByText('66.7 %'))
      expect(await figures.textContent()).toContain('2 failed of 6 calls')
      const tools = page.getByRole('region', { name: 'Tools' })
      await visible(tools.getByRole('row').filter({ hasText: 'list_metrics' }))
      await tools.getByRole('button', { name: 'Slowest (p95)' }).click()
      expect(await tools.getByRole('row').nth(1).textContent()).toContain('find_contact')
      const errors = page.getByRole('region', { name: 'Top errors' })
      await visible(errors.getByText('CRM timed out'))
      expect(await errors.textContent()).toContain('invalid_arguments')
      await visible(page.getByRole('region', { name: 'Clients' }).getByText('claude-code'))
      const chart = page.getByRole('region', { name: 'Calls per hour' })
      await visible(chart.getByText(/come from the hourly summary \(refreshed every 5 minutes\), later ones from the live log/))
      expect(await chart.getByRole('list', { name: 'p95 duration per hour (slowest tool)' }).getByRole('listitem').last().getAttribute('aria-label')).toMatch(/p95 1\.\d+ s$/)
      await snap('overview')

      const list = page.getByRole('region', { name: 'Tool calls' })
      await list.getByRole('textbox', { name: 'Search' }).fill('revenue')
      await list.getByRole('button', { name: 'Search' }).click()
      // The header row and the one call whose parameters mention revenue.
      await expect.poll(() => list.getByRole('row').count(), { timeout: 10_000 }).toBe(2)
      const row = list.getByRole('row').filter({ hasText: 'list_dashboards' })
      await visible(row)
      await row.getByText('Show').click()
      expect(await row.locator('pre').textContent()).toContain('"search": "revenue"')
      await snap('search')
      expect(problems).toEqual([])
    })
  })
})
