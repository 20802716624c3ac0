import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * Explore in the browser: a metric with two regions charted through the widget data query,
 * grouped, filtered and as a pie; the view reproduced from its address; a query the engine
 * refuses shown as an error, not as an empty chart.
 */
describe('Explore', () => {
  let app: BrowserApp
  let owner: Session
  let orgId: string
  let metricId: string

  beforeAll(async () => {
    app = await startBrowserApp('explore')
    const server = app.ctx.app
    await setupAdmin(server)
    owner = await registerUser(server, { email: 'ed.explore@example.com', name: 'Ed Explore' })
    orgId = (await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Globex Shops', slug: 'globex-shops' } })).json().id
    const metric = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics`, headers: owner.headers, payload: { name: 'sales', displayName: 'Sales', unit: 'currency', aggregationType: 'sum' } })
    metricId = metric.json().id
    const now = Date.now()
    const points = Array.from({ length: 120 }, (_, i) => ({ timestamp: new Date(now - i * 10 * 60_000).toISOString(), value: 10 + (i % 7), dimensions: { region: i % 3 ? 'eu' : 'us' } }))
    expect((await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics/${metricId}/points`, headers: owner.headers, payload: points })).json()).toMatchObject({ accepted: 120 })
  })

  afterAll(async () => {
    await app?.close()
  })

  /** Whether the chart's canvas has drawn pixels (not a blank area). */
  const drawn = () => app.page.locator('.series-chart canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++
    return painted
  })

  it('charts a metric grouped by a dimension, filters it, keeps the view in the address, and shows errors as errors', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(/\/orgs\//)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click()
      await visible(page.getByText('Choose what to chart'))
      await page.getByLabel('Metric', { exact: true }).selectOption({ label: 'Sales' })
      await page.getByLabel('Group by').fill('region')
      await visible(page.locator('.series-chart canvas').first())
      await page.waitForFunction(() => document.querySelector('.explore-result')?.textContent?.includes('points'))
      await expect.poll(drawn).toBeGreaterThan(500)
      await visible(page.getByText(/served from .* storage · as of/))
      await snap('grouped')

      // The address reproduces the view in a fresh page.
      const address = page.url()
      expect(address).toContain('groupBy=region')
      const second = await app.context.newPage()
      await second.goto(address)
      await second.locator('.series-chart canvas').first().waitFor()
      await second.close()

      await page.getByLabel('Chart', { exact: true }).selectOption({ label: 'Pie' })
      await page.getByRole('button', { name: 'Add filter' }).click()
      await page.getByRole('textbox', { name: /Dimension/ }).first().fill('region')
      await page.getByRole('textbox', { name: /Value/ }).first().fill('us')
      await page.waitForFunction(() => document.location.search.includes('filter=region'))
      await expect.poll(drawn).toBeGreaterThan(500)
      await snap('pie-filtered')

      // A 1-minute bucket over 90 days is refused by the engine: the page says why.
      await page.getByLabel('Bucket').selectOption('1m')
      await page.getByLabel('Time range').selectOption({ label: 'Last 90 days' })
      await visible(page.getByRole('alert'))
      await visible(page.getByText(/coarser bucket or a shorter range/))
      await snap('error-state')
      expect(problems).toEqual([])
    })
  })
})
