import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * Dashboards in the browser: build one from an empty list (a line chart of a metric grouped by
 * a dimension, a stat card, a bar chart), drag and resize, save, change the time range,
 * cross-filter by clicking a bar, restore an earlier version, share it by public link to a
 * signed-out browser and revoke the link; and the same dashboard on a 390 px phone.
 */
describe('dashboards', () => {
  let app: BrowserApp
  let owner: Session
  let orgId: string
  let metricId: string

  beforeAll(async () => {
    app = await startBrowserApp('dashboards')
    const server = app.ctx.app
    await setupAdmin(server)
    owner = await registerUser(server, { email: 'dana.dash@example.com', name: 'Dana Dash' })
    orgId = (await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Hooli Retail', slug: 'hooli-retail' } })).json().id
    const metric = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics`, headers: owner.headers, payload: { name: 'sales', displayName: 'Sales', unit: 'currency', aggregationType: 'sum' } })
    expect(metric.statusCode, metric.body).toBe(201)
    metricId = metric.json().id
    const now = Date.now()
    // Two days of points every 20 minutes, in two regions: a day to show and a day to compare with.
    const points = Array.from({ length: 144 }, (_, i) => ({ timestamp: new Date(now - i * 20 * 60_000).toISOString(), value: 10 + (i % 9), dimensions: { region: i % 3 ? 'eu' : 'us' } }))
    expect((await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics/${metric.json().id}/points`, headers: owner.headers, payload: points })).json()).toMatchObject({ accepted: 144 })
  })

  afterAll(async () => {
    await app?.close()
  })

  const widget = (page: Page, title: string) => page.getByRole('article', { name: title, exact: true })

  /** Painted pixels of a widget's chart canvas (0: blank). */
  const painted = (locator: Locator) => locator.locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let count = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++
    return count
  })

  async function addWidget(page: Page, options: { type: string; title: string; groupBy?: string; unit?: string; stacked?: boolean }) {
    await page.getByRole('button', { name: '+ Add widget' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add widget' })
    await visible(dialog)
    await dialog.getByLabel('Type').selectOption({ label: options.type })
    await dialog.getByLabel('Title').fill(options.title)
    await dialog.getByLabel('Metric').selectOption({ label: 'Sales' })
    if (options.groupBy) await dialog.getByLabel('Group by').fill(options.groupBy)
    if (options.unit) await dialog.getByLabel('Unit').fill(options.unit)
    if (options.stacked) await dialog.getByLabel(/Stack groups/).check()
    // The live preview draws the data before the widget is added.
    await expect.poll(() => dialog.locator('canvas').count()).toBeGreaterThan(0)
    if (options.type === 'Stat card') await app.snap('widget-editor', { viewport: true })
    await dialog.getByRole('button', { name: 'Add widget' }).click()
    await expect.poll(() => dialog.count()).toBe(0)
    await visible(widget(page, options.title))
  }

  /** Where a grid item is, in pixels (react-grid-layout positions items with a transform). */
  const box = async (page: Page, title: string) => (await page.getByTestId(`grid-item-${title}`).boundingBox())!

  it('builds, filters, versions and shares a dashboard', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(/\/orgs\//)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboards' }).click()
      await visible(page.getByText('No dashboards yet'))
      await visible(page.getByRole('button', { name: 'Load demo data' }))
      await snap('empty-list')

      // Create: the new dashboard opens in edit mode.
      await page.getByRole('button', { name: 'Create a dashboard' }).click()
      const create = page.getByRole('dialog', { name: 'New dashboard' })
      await create.getByLabel('Name').fill('Shop overview')
      await create.getByLabel('Description').fill('Sales across regions')
      await create.getByLabel('Tags').fill('sales, daily')
      await create.getByRole('button', { name: 'Create and edit' }).click()
      await page.waitForURL(/\/dashboards\/[0-9a-f-]+\?edit=1/)
      const dashboardId = /dashboards\/([0-9a-f-]+)/.exec(page.url())![1]!
      await visible(page.getByText('Add your first widget'))

      await addWidget(page, { type: 'Line chart', title: 'Sales by region', groupBy: 'region', unit: '€' })
      await addWidget(page, { type: 'Stat card', title: 'Total sales', unit: '€' })
      await addWidget(page, { type: 'Bar chart', title: 'Sales per region', groupBy: 'region', stacked: true })
      await snap('editing')

      // Drag the stat card up next to the line chart, then widen the bar chart from its corner.
      const line = await box(page, 'Sales by region')
      const statBefore = await box(page, 'Total sales')
      const handle = widget(page, 'Total sales').locator('.dash-drag-handle')
      const handleBox = (await handle.boundingBox())!
      await page.mouse.move(handleBox.x + 40, handleBox.y + 12)
      await page.mouse.down()
      await page.mouse.move(handleBox.x + 40 + line.width + 20, handleBox.y + 12 - (statBefore.y - line.y), { steps: 12 })
      await page.mouse.up()
      await expect.poll(async () => (await box(page, 'Total sales')).y).toBeLessThan(statBefore.y)
      const barBefore = await box(page, 'Sales per region')
      const corner = page.getByTestId('grid-item-Sales per region').locator('.react-resizable-handle')
      await page.getByTestId('grid-item-Sales per region').hover()
      const cornerBox = (await corner.boundingBox())!
      await page.mouse.move(cornerBox.x + 5, cornerBox.y + 5)
      await page.mouse.down()
      await page.mouse.move(cornerBox.x + 5 + barBefore.width * 0.8, cornerBox.y + 5, { steps: 12 })
      await page.mouse.up()
      await expect.poll(async () => (await box(page, 'Sales per region')).width).toBeGreaterThan(barBefore.width * 1.3)
      await snap('arranged')

      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.waitForURL((url) => !url.search.includes('edit=1'))
      await visible(page.getByRole('heading', { name: 'Shop overview', level: 1 }))
      for (const title of ['Sales by region', 'Sales per region']) {
        await expect.poll(() => painted(widget(page, title))).toBeGreaterThan(500)
      }
      await visible(widget(page, 'Total sales').getByTestId('stat-value'))
      await expect.poll(() => widget(page, 'Total sales').getByTestId('stat-value').textContent()).toMatch(/€/)
      await visible(widget(page, 'Sales by region').getByText(/As of/))
      await snap('saved')

      // The time range goes into the address and the data request.
      const weekRequest = page.waitForRequest((request) => request.url().includes(`/dashboards/${dashboardId}/data`))
      await page.getByLabel('Time range').selectOption({ label: 'Last 7 days' })
      await weekRequest
      expect(page.url()).toContain('range=7d')

      // Cross-filter: click a bar; the address gains the filter and every widget refetches with it.
      const bars = widget(page, 'Sales per region')
      await expect.poll(() => painted(bars)).toBeGreaterThan(500)
      await bars.scrollIntoViewIfNeeded()
      const canvas = bars.locator('canvas').first()
      const area = (await canvas.boundingBox())!
      const filtered = page.waitForRequest((request) => request.url().includes('/data?') && decodeURIComponent(request.url()).includes('"region":'))
      filtered.catch(() => undefined)
      let clicked = false
      // Hover along the plot just above the axis until ECharts shows the pointer over a bar.
      for (let x = area.x + area.width * 0.15; x < area.x + area.width * 0.98 && !clicked; x += 3) {
        for (const y of [area.y + area.height * 0.85, area.y + area.height * 0.7]) {
          await page.mouse.move(x, y)
          const cursor = await canvas.evaluate((element) => getComputedStyle(element.parentElement!.parentElement!).cursor + getComputedStyle(element).cursor)
          if (cursor.includes('pointer')) {
            await page.mouse.click(x, y)
            clicked = true
            break
          }
        }
      }
      expect(clicked).toBe(true)
      await filtered
      await page.waitForURL(/f\.region=(eu|us)/)
      await visible(page.getByRole('list', { name: 'Filters' }).getByText(/region =/))
      await snap('cross-filtered')

      // Live: new points for the charted metric make the page fetch its data again, unasked.
      await page.getByRole('button', { name: 'Live' }).click()
      await page.waitForURL(/live=1/)
      await page.waitForTimeout(1000) // the live stream connects
      const refetched = page.waitForRequest((request) => request.url().includes(`/dashboards/${dashboardId}/data`), { timeout: 15_000 })
      const pushed = await app.ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/metrics/${metricId}/points`, headers: owner.headers, payload: [{ timestamp: new Date().toISOString(), value: 99, dimensions: { region: 'eu' } }] })
      expect(pushed.json()).toMatchObject({ accepted: 1 })
      await refetched
      await page.getByRole('button', { name: 'Live' }).click()
      await page.waitForURL((url) => !url.search.includes('live=1'))

      // A second save (the stat card removed), then the version list restores the first.
      await page.getByRole('button', { name: 'Edit', exact: true }).click()
      await page.getByRole('button', { name: 'Remove widget Total sales' }).click()
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await page.waitForURL((url) => !url.search.includes('edit=1'))
      await expect.poll(() => widget(page, 'Total sales').count()).toBe(0)
      await page.getByRole('button', { name: 'Versions' }).click()
      const versions = page.getByRole('dialog', { name: 'Version history' })
      // Version 1 is the empty dashboard as created, 2 the first save, 3 the second.
      await visible(versions.getByText('Version 3 (current)'))
      await versions.getByRole('button', { name: /Version 3 \(current\)/ }).click()
      await visible(versions.getByText(/Removed stat card “Total sales”/))
      await versions.getByRole('button', { name: /^Version 2/ }).click()
      await visible(versions.getByText(/Added line chart “Sales by region”/))
      await snap('versions')
      await versions.getByRole('button', { name: 'Restore this version' }).click()
      await versions.getByRole('button', { name: 'Confirm restore' }).click()
      await visible(widget(page, 'Total sales'))

      // The usage dialog counts this session's views and saves.
      await page.locator('summary[aria-label="More actions"]').click()
      await page.getByRole('button', { name: 'Usage', exact: true }).click()
      const usage = page.getByRole('dialog', { name: 'Usage' })
      await visible(usage.getByRole('list', { name: 'Views per day' }))
      expect(Number((await usage.locator('dt:text-is("Views") + dd').textContent())?.replace(/\D/g, ''))).toBeGreaterThan(0)
      expect(Number((await usage.locator('dt:text-is("Edits") + dd').textContent())?.replace(/\D/g, ''))).toBeGreaterThan(0)
      await snap('usage')
      await usage.getByRole('button', { name: /Close/ }).click()

      // Share by public link: a signed-out browser sees it until the link is revoked.
      await page.getByRole('button', { name: 'Share' }).click()
      const share = page.getByRole('dialog', { name: /Share/ })
      await share.getByRole('button', { name: 'Create public link' }).click()
      await visible(share.getByText('Anyone with this link can view the dashboard'))
      const publicUrl = await share.getByRole('textbox', { name: 'Public link' }).inputValue()
      expect(publicUrl).toMatch(/\/public\/[\w-]{20,}$/)
      await snap('share')
      await share.getByRole('button', { name: 'Close' }).click()
      await visible(page.getByText('Public', { exact: true }))

      const stranger = await app.browser.newContext({ viewport: { width: 1280, height: 860 } })
      const visitor = await stranger.newPage()
      await visitor.goto(publicUrl)
      await visible(visitor.getByRole('heading', { name: 'Shop overview' }))
      await visitor.waitForTimeout(1500)
      await visitor.screenshot({ path: 'test-results/screenshots/dashboards-public.png', fullPage: true })
      await expect.poll(() => painted(widget(visitor, 'Sales by region'))).toBeGreaterThan(500)

      // A signed embed URL with the current filter locked shows the same widgets without the app around them.
      await page.getByRole('button', { name: 'Share' }).click()
      await share.getByRole('button', { name: 'Generate embed URL' }).click()
      const embedUrl = await share.getByRole('textbox', { name: 'Embed URL' }).inputValue()
      expect(embedUrl).toMatch(/\/embed\//)
      await visitor.goto(embedUrl)
      await expect.poll(() => painted(widget(visitor, 'Sales per region'))).toBeGreaterThan(500)
      expect(await visitor.getByRole('navigation', { name: 'Main' }).count()).toBe(0)
      await visitor.screenshot({ path: 'test-results/screenshots/dashboards-embed.png', fullPage: true })
      await share.getByRole('button', { name: 'Revoke link' }).click()
      await visible(share.getByText(/The dashboard is private/))
      await share.getByRole('button', { name: 'Close' }).click()
      await visitor.goto(publicUrl)
      await visible(visitor.getByRole('heading', { name: 'This link is no longer valid' }))
      await visitor.screenshot({ path: 'test-results/screenshots/dashboards-public-revoked.png', fullPage: true })
      await stranger.close()

      // A phone: one column in reading order, the saved layout untouched.
      await page.setViewportSize({ width: 390, height: 844 })
      // Every widget in the same full-width column (the desktop grid had them side by side).
      await expect.poll(async () => Math.round((await box(page, 'Total sales')).x)).toBe(Math.round((await box(page, 'Sales by region')).x))
      expect((await box(page, 'Total sales')).width).toBeGreaterThan(300)
      expect((await box(page, 'Total sales')).width).toBeLessThan(390)
      expect((await box(page, 'Total sales')).y).toBeGreaterThan((await box(page, 'Sales by region')).y)
      await snap('phone')
      expect(problems).toEqual([])
    })
  }, 240_000)

  it('loads the demo from the empty list and renders every demo dashboard without errors', async () => {
    await app.run(async () => {
      const server = app.ctx.app
      const newcomer = await registerUser(server, { email: 'nico.new@example.com', name: 'Nico New' })
      const org = (await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: newcomer.headers, payload: { name: 'Empty Co', slug: 'empty-co' } })).json()
      const context = await app.browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1280, height: 900 } })
      const page = await context.newPage()
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto('/login')
      await signIn(page, newcomer.email)
      await page.waitForURL(/\/orgs\//)
      await page.goto(`/orgs/${org.id}/dashboards`)
      await page.getByRole('button', { name: 'Load demo data' }).click()
      await page.waitForURL((url) => url.pathname.endsWith('/dashboards') && !url.pathname.includes(org.id), { timeout: 120_000 })
      const list = page.getByRole('list', { name: 'Dashboards' })
      await visible(list)
      const names = await list.locator('.dash-card-name').allTextContents()
      expect(names.length).toBeGreaterThanOrEqual(4)
      await page.screenshot({ path: 'test-results/screenshots/dashboards-demo-list.png', fullPage: true })
      for (const [index, name] of names.entries()) {
        await list.getByRole('link', { name, exact: true }).click()
        await visible(page.getByRole('heading', { name, level: 1 }))
        const widgets = page.locator('.dash-widget')
        await expect.poll(() => widgets.count()).toBeGreaterThan(0)
        // Scroll through so every widget is near the viewport and loads.
        for (let i = 0; i < (await widgets.count()); i++) await widgets.nth(i).scrollIntoViewIfNeeded()
        await expect.poll(() => page.locator('.dash-widget-loading').count(), { timeout: 20_000 }).toBe(0)
        const failed = await page.locator('.dash-widget-error').allTextContents()
        expect(failed, name).toEqual([])
        await page.screenshot({ path: `test-results/screenshots/dashboards-demo-${index + 1}.png`, fullPage: true })
        await page.getByRole('link', { name: '← All dashboards' }).click()
        await visible(list)
      }
      expect(errors).toEqual([])
      await context.close()
    })
  }, 240_000)
})
