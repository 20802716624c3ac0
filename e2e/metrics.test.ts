import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, signOut, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * A metric with a day of points pushed through the API, seen in the browser: the list, the
 * chart with its threshold lines and freshness; a KPI created, read, edited and deleted
 * through the UI; then the instance administrator's Organizations (storage limits) and
 * Storage pages (rollup lag, series cache).
 */
describe('metrics and storage pages in the browser', () => {
  let app: BrowserApp
  let admin: Session
  let owner: Session
  let orgId: string
  let metricId: string
  /** Today's (local time) sum of the pushed points: the daily KPI's value. */
  let todaysSum = 0

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
    const now = Date.now()
    const points = Array.from({ length: 96 }, (_, i) => ({ timestamp: new Date(now - i * 15 * 60_000).toISOString(), value: 20 + ((i * 37) % 70), dimensions: { region: i % 2 ? 'eu' : 'us' } }))
    // The browser runs on this machine, in its time zone: the KPI's day starts at local midnight.
    const midnight = new Date(now).setHours(0, 0, 0, 0)
    todaysSum = points.filter((p) => Date.parse(p.timestamp) >= midnight).reduce((sum, p) => sum + p.value, 0)
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
      await snap('metric')

      // No KPI yet: the empty state leads to the form.
      const kpis = page.getByRole('region', { name: 'KPIs' })
      await visible(kpis.getByText('No KPIs on this metric yet'))
      await kpis.getByRole('button', { name: 'Add a KPI' }).click()
      const form = page.getByRole('form', { name: 'Add a KPI' })
      await form.getByRole('button', { name: 'Add KPI' }).click()
      await visible(form.getByText('Enter a name'))
      await form.getByLabel('Name').fill('Daily orders')
      await form.getByLabel('Target value (count)').fill('1000')
      await form.getByLabel('Period').selectOption('daily')
      await form.getByLabel('Alert below (% of the target)').fill('10')
      await snap('kpi-form')
      await form.getByRole('button', { name: 'Add KPI' }).click()

      // Its attainment this period: today's sum against the minimum, with the period's bounds.
      const card = kpis.getByRole('listitem', { name: 'Daily orders' })
      await visible(card.getByText('at least 1,000 count'))
      await expect.poll(async () => (await card.locator('.kpi-value').textContent())?.replace(/[^0-9]/g, '')).toBe(String(todaysSum))
      const percent = Math.min(100, Math.round((todaysSum / 1000) * 100))
      await expect.poll(() => card.getByRole('progressbar', { name: 'Attainment of Daily orders' }).getAttribute('aria-valuenow')).toBe(String(percent))
      await visible(card.getByText(todaysSum >= 1000 ? 'On target' : todaysSum < 100 ? 'Alert' : 'Off target', { exact: true }))
      await visible(card.getByText('(daily)'))
      await visible(card.getByText('Under 10% of the target, by email'))
      await snap('kpi-attainment')

      // Edit: a range that today's sum sits in; the client refuses inverted bounds first.
      await card.getByRole('button', { name: 'Edit Daily orders' }).click()
      const edit = page.getByRole('form', { name: 'Edit KPI Daily orders' })
      await edit.getByLabel('Target type').selectOption('range')
      await edit.getByLabel('Lower bound (count)').fill('10')
      await edit.getByLabel('Upper bound (count)').fill('5')
      await edit.getByRole('button', { name: 'Save KPI' }).click()
      await visible(edit.getByText('Must be at least the lower bound'))
      await edit.getByLabel('Upper bound (count)').fill('100000')
      await edit.getByRole('button', { name: 'Save KPI' }).click()
      await visible(card.getByText('between 10 and 100,000 count'))
      await visible(card.getByText('On target', { exact: true }))
      await expect.poll(async () => (await app.ctx.admin.query('select target_type, target_value::float8 as lower, target_max::float8 as upper from app.kpis where metric_id = $1', [metricId])).rows).toEqual([{ target_type: 'range', lower: 10, upper: 100000 }])

      // Delete, after confirming: back to the empty state.
      await card.getByRole('button', { name: 'Delete KPI Daily orders' }).click()
      await card.getByRole('button', { name: 'Confirm delete KPI Daily orders' }).click()
      await visible(kpis.getByText('No KPIs on this metric yet'))
      expect((await app.ctx.admin.query('select count(*)::int as n from app.kpis where metric_id = $1', [metricId])).rows[0].n).toBe(0)
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
      // No worker runs here: a watermark ten minutes short of the newest closed hour stands for a rollup job that stopped.
      await app.ctx.admin.query("update ops.rollup_watermarks set watermark = date_trunc('hour', now(), 'UTC') - interval '10 minutes' where name = 'ts.aggregated_metrics'")
      await page.goto('/admin/storage')
      await visible(page.getByRole('heading', { name: 'Partitions' }))
      await visible(page.getByText(/^Rollups are 10 min( \d+ s)? behind$/))
      // The owner's visits read series (the chart, the KPI): misses, then hits on reloads.
      await visible(page.getByRole('heading', { name: 'Rollups and series cache' }))
      await visible(page.getByText('Rollup lag', { exact: true }))
      const lastHour = page.getByRole('row', { name: /^Last hour/ })
      await expect.poll(async () => Number((await lastHour.getByRole('cell').nth(2).textContent()) ?? '0')).toBeGreaterThan(0)
      await snap('admin-storage')
      expect(problems).toEqual([])
    })
  })
})
