import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The admin Requests page in the browser: the browser's own API requests show up once the
 * writer flushes, with the failed sign-in's password redacted; a filter that matches nothing
 * shows the empty state.
 */
describe('requests page', () => {
  let app: BrowserApp
  let admin: Session

  beforeAll(async () => {
    app = await startBrowserApp('requests')
    admin = await setupAdmin(app.ctx.app)
    await registerUser(app.ctx.app)
  })

  afterAll(async () => {
    await app?.close()
  })

  it('lists logged requests with redacted details and says when a filter matches nothing', async () => {
    await app.run(async () => {
      const { page, snap, problems, ctx } = app
      await page.goto('/login')
      await signIn(page, admin.email, 'not the password')
      await visible(page.getByRole('alert'))
      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/settings')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click()
      await page.waitForURL(/\/admin\/requests$/)
      await ctx.app.requestLogs!.flush()
      await page.getByRole('button', { name: 'Refresh' }).click()

      const table = page.getByRole('table')
      const failedLogin = table.getByRole('row').filter({ hasText: 'POST /api/v1/auth/login' }).filter({ hasText: '401' })
      await visible(failedLogin)
      expect(await failedLogin.textContent()).toContain('invalid_credentials')
      await failedLogin.getByText('Show').click()
      const details = await failedLogin.locator('pre').textContent()
      expect(details).toContain('"password": "[redacted]"')
      expect(details).not.toContain('not the password')
      await snap('list')

      await page.getByLabel('Status').selectOption('5xx')
      await page.getByRole('button', { name: 'Apply filters' }).click()
      await page.waitForURL(/status=5xx/)
      await visible(page.getByText('No requests match these filters'))
      await snap('empty')
      expect(problems).toEqual([])
    })
  })
})
