import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, signOut, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * A metric with a day of points pushed through the API, seen in the browser: the list, the
 * chart with its threshold lines and freshness, the KPI's attainment; then the instance
 * administrator's Organizations (storage limits) and Storage pages.
 */
describe('metrics and storage pages in the browser', () => {
  let app: BrowserApp
  let admin: Session
  let owner: Session
  let orgId: string
  let metricId: string

  beforeAll(async () => {
    app = await startBrowserApp('metrics')
    const server = app.ctx.app
    admin = await setupAdmin(server)
    owner = await registerUser(server, { email: 'mae.metrics@example.com', name: 'Mae Metrics' })
    const org = await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Initech Ops', slug: 'initech-ops' } })
    orgId = (org.json() as { id: string }).id
    const metric = await server.inject({
      method: 'POST',
      url: `/api/v1/orgs/${orgId}/metrics`,
      headers: owner.headers,
      payload: { name: 'orders', displayName: 'Orders per hour', unit: 'count', aggregationType: 'sum', thresholds: { warning: 80, critical: 95, direction: 'above' }, tags: ['sales'] },
    })
    expect(metric.statusCode, metric.body).toBe(201)
    metricId = (metric.json() as { id: string }).id
    const kpi = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/kpis`, headers: owner.headers, payload: { metricId, name: 'Daily orders', targetValue: 1000, targetType: 'minimum', timePeriod: 'daily' } })
    expect(kpi.statusCode, kpi.body).toBe(201)
    const now = Date.now()
    const points = Array.from({ length: 96 }, (_, i) => ({ timestamp: new Date(now - i * 15 * 60_000).toISOString(), value: 20 + ((i * 37) % 70), dimensions: { region: i % 2 ? 'eu' : 'us' } }))
    const pushed = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics/${metricId}/points`, headers: owner.headers, payload: points })
    expect(pushed.json()).toMatchObject({ accepted: 96, rejected: 0 })
  })

  afterAll(async () => {
    await app?.close()
  })

  it("shows a metric's chart, freshness and KPI, and the administrator's storage pages", async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(/\/orgs\//)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Metrics' }).click()
      await page.getByRole('link', { name: 'Orders per hour' }).click()
      await page.waitForURL(new RegExp(`/metrics/${metricId}$`))
      await visible(page.getByRole('heading', { name: 'Orders per hour', level: 1 }))
      await visible(page.getByText(/as of/))
      await visible(page.locator('svg[role="img"]').first())
      await visible(page.getByText('Daily orders'))
      await snap('metric')
      await page.setViewportSize({ width: 375, height: 800 })
      await snap('metric-phone')
      await page.setViewportSize({ width: 1280, height: 860 })
      await signOut(page, 'Mae Metrics')

      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/organizations')
      await visible(page.getByText('Initech Ops', { exact: true }))
      await page.getByLabel('Storage limit of Initech Ops in GiB').fill('5')
      await page.getByRole('form', { name: 'Storage limit of Initech Ops' }).getByRole('button', { name: 'Save' }).click()
      await expect.poll(async () => (await app.ctx.admin.query('select storage_limit_gb from app.organizations where id = $1', [orgId])).rows[0]?.storage_limit_gb).toBe(5)
      await snap('admin-organizations')
      await page.goto('/admin/storage')
      await visible(page.getByRole('heading', { name: 'Partitions' }))
      await snap('admin-storage')
      expect(problems).toEqual([])
    })
  })
})
