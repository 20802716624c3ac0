import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { createOrg, type OrgFixture } from '../test/tenancy.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The admin Errors page in the browser: the empty state first, then real server errors (a
 * route whose table was renamed away answers 500) grouped into one row, found by search,
 * opened with its stack and context, and resolved with notes.
 */
describe('errors page', () => {
  let app: BrowserApp
  let admin: Session
  let org: OrgFixture

  beforeAll(async () => {
    app = await startBrowserApp('errors')
    admin = await setupAdmin(app.ctx.app)
    org = await createOrg(app.ctx.app, await registerUser(app.ctx.app), { name: 'Acme Analytics' })
  })

  afterAll(async () => {
    await app?.close()
  })

  it('lists grouped errors, searches them, shows one with its stack and resolves it', async () => {
    await app.run(async () => {
      const { page, snap, problems, ctx } = app
      await page.goto('/login')
      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/settings')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Errors' }).click()
      await page.waitForURL(/\/admin\/errors$/)
      await visible(page.getByText('No open errors'))
      await snap('empty')

      await ctx.admin.query('alter table app.metrics rename to metrics_moved_away')
      for (let i = 0; i < 25; i++) {
        const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics`, headers: { cookie: org.owner.cookie } })
        expect(response.statusCode).toBe(500)
      }
      ctx.services.errors.record({ error: new Error('Webhook delivery to https://hooks.example.com timed out after 30000 ms'), source: 'job', context: { jobName: 'sinks:deliver' } })
      await ctx.services.errors.flush()

      await page.getByRole('button', { name: 'Refresh' }).click()
      const table = page.getByRole('table')
      const row = table.getByRole('row').filter({ hasText: 'relation "app.metrics" does not exist' })
      await visible(row)
      expect(await row.textContent()).toContain('25')
      expect(await row.textContent()).toContain('Acme Analytics')
      expect(await table.getByRole('row').count()).toBe(3)
      await snap('list')

      await page.getByLabel('Search messages').fill('webhook')
      await page.getByRole('button', { name: 'Apply' }).click()
      await page.waitForURL(/q=webhook/)
      await expect.poll(() => table.getByRole('row').count()).toBe(2)
      await visible(table.getByText('Timeout'))
      await page.getByRole('button', { name: 'Clear filters' }).click()
      await expect.poll(() => table.getByRole('row').count()).toBe(3)

      await row.getByRole('link').click()
      await page.waitForURL(/\/admin\/errors\/\d+$/)
      await visible(page.getByRole('heading', { name: 'Stack trace' }))
      await visible(page.getByRole('region', { name: 'Context' }).getByText('/api/v1/orgs/:orgId/metrics'))
      await snap('detail')

      await page.getByRole('button', { name: 'Resolve' }).click()
      await visible(page.getByText('Say what fixed the error, or why it needs no fix'))
      await page.getByLabel('Resolution notes').fill('The metrics table is back (migration repaired).')
      await page.getByRole('button', { name: 'Resolve' }).click()
      await visible(page.getByText('The metrics table is back (migration repaired).'))
      await visible(page.getByText(`by ${admin.email}`, { exact: false }))
      await snap('resolved')

      await page.getByRole('link', { name: 'Errors', exact: true }).first().click()
      await page.waitForURL(/\/admin\/errors$/)
      await expect.poll(() => table.getByRole('row').count()).toBe(2)
      expect(problems).toEqual([])
    })
  })
})
