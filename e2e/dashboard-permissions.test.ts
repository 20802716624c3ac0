import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { SCREENSHOTS, signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * Dashboard permissions in the browser: the owner restricts a dashboard to one member with
 * view permission through the Permissions dialog (a member removed meanwhile gets the
 * server's error next to their entry); that member sees it read-only, another member neither
 * lists nor opens it; clearing the restriction opens it to everyone again.
 */
describe('dashboard permissions', () => {
  let app: BrowserApp
  let owner: Session
  let vera: Session
  let nate: Session
  let rita: Session
  let orgId: string
  let dashboardId: string
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    app = await startBrowserApp('dashboard-permissions')
    const server = app.ctx.app
    await setupAdmin(server)
    owner = await registerUser(server, { email: 'paula.perm@example.com', name: 'Paula Perm' })
    vera = await registerUser(server, { email: 'vera.view@example.com', name: 'Vera View' })
    nate = await registerUser(server, { email: 'nate.nope@example.com', name: 'Nate Nope' })
    rita = await registerUser(server, { email: 'rita.gone@example.com', name: 'Rita Gone' })
    const org = await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Initech Finance', slug: 'initech-finance' } })
    expect(org.statusCode, org.body).toBe(201)
    orgId = org.json().id
    for (const person of [vera, nate, rita]) {
      const added = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/members`, headers: owner.headers, payload: { email: person.email, role: 'member' } })
      expect(added.json().status, added.body).toBe('added')
    }
    const create = (name: string) => server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/dashboards`, headers: owner.headers, payload: { name } })
    dashboardId = (await create('Payroll overview')).json().id
    expect((await create('Team notes')).statusCode).toBe(201)
    const widget = await server.inject({
      method: 'POST',
      url: `/api/v1/orgs/${orgId}/dashboards/${dashboardId}/widgets`,
      headers: owner.headers,
      payload: { type: 'text', title: 'About payroll', position: { x: 0, y: 0, w: 6, h: 2 }, config: { markdown: 'Salaries by **department**.' } },
    })
    expect(widget.statusCode, widget.body).toBe(201)
  })

  afterAll(async () => {
    for (const context of contexts) await context.close()
    await app?.close()
  })

  /** A member's own browser (cookies apart from the owner's), signed in. */
  async function browserOf(person: Session): Promise<Page> {
    const context = await app.browser.newContext({ baseURL: app.baseUrl, viewport: { width: 1280, height: 860 } })
    context.setDefaultTimeout(15_000)
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (error) => app.problems.push(`${person.email}: page error: ${error.message}`))
    await page.goto('/login')
    await signIn(page, person.email)
    await page.waitForURL(/\/orgs\//)
    return page
  }

  const dashboardNames = async (page: Page) => {
    await page.goto(`/orgs/${orgId}/dashboards`)
    const list = page.getByRole('list', { name: 'Dashboards' })
    await visible(list)
    return list.locator('.dash-card-name').allTextContents()
  }

  async function openPermissions(page: Page) {
    await page.locator('summary[aria-label="More actions"]').click()
    await page.getByRole('button', { name: 'Permissions' }).click()
    const dialog = page.getByRole('dialog', { name: 'Permissions for “Payroll overview”' })
    await visible(dialog.getByRole('heading', { name: 'Who can see this dashboard' }))
    return dialog
  }

  it('restricts a dashboard to one viewer, hides it from others, and opens it again', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      const server = app.ctx.app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(/\/orgs\//)
      await page.goto(`/orgs/${orgId}/dashboards/${dashboardId}`)
      await visible(page.getByRole('heading', { name: 'Payroll overview', level: 1 }))

      // Open to everyone at first; no teams yet, and the dialog says where to make one.
      let dialog = await openPermissions(page)
      await visible(dialog.getByText('Everyone in the organization'))
      await visible(dialog.getByText(/No teams yet/))
      await visible(dialog.getByText('Organization owners and admins: Paula Perm (you)'))
      await snap('dialog-everyone', { viewport: true })

      // Rita is removed from the organization while the dialog is open: the server refuses her entry, next to it.
      await dialog.getByLabel('Member or team', { exact: true }).selectOption({ label: 'Rita Gone (rita.gone@example.com)' })
      await dialog.getByLabel('Permission', { exact: true }).selectOption({ label: 'Can view' })
      await dialog.getByRole('button', { name: 'Add', exact: true }).click()
      await dialog.getByLabel('Member or team', { exact: true }).selectOption({ label: 'Vera View (vera.view@example.com)' })
      await dialog.getByLabel('Permission', { exact: true }).selectOption({ label: 'Can view' })
      await dialog.getByRole('button', { name: 'Add', exact: true }).click()
      const removed = await server.inject({ method: 'DELETE', url: `/api/v1/orgs/${orgId}/members/${rita.userId}`, headers: owner.headers })
      expect(removed.statusCode, removed.body).toBe(204)
      await dialog.getByRole('button', { name: 'Save changes' }).click()
      await visible(dialog.getByText('This person is not a member of the organization'))
      const ritaLevel = dialog.getByLabel('Permission for Rita Gone')
      expect(await ritaLevel.getAttribute('aria-invalid')).toBe('true')
      await visible(dialog.getByText('Nothing was saved: fix the entries marked below.'))
      await snap('dialog-error', { viewport: true })
      expect((await server.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/dashboards/${dashboardId}/permissions`, headers: owner.headers })).json().permissions).toEqual([])

      // Without Rita, the list saves: only Vera (view) and those who always have access.
      await dialog.getByRole('button', { name: 'Remove Rita Gone' }).click()
      await dialog.getByRole('button', { name: 'Save changes' }).click()
      await visible(dialog.getByText(/^Saved\. Only those listed/))
      const list = dialog.getByRole('list', { name: 'Members and teams with access' })
      expect(await list.getByRole('listitem').count()).toBe(1)
      expect(await dialog.getByLabel('Permission for Vera View').inputValue()).toBe('view')
      await snap('dialog-restricted', { viewport: true })
      await page.setViewportSize({ width: 390, height: 844 })
      await snap('dialog-phone', { viewport: true })
      await page.setViewportSize({ width: 1280, height: 860 })
      const stored = (await server.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/dashboards/${dashboardId}/permissions`, headers: owner.headers })).json()
      expect(stored.permissions).toMatchObject([{ userId: vera.userId, teamId: null, permission: 'view' }])
      await dialog.getByRole('button', { name: 'Close', exact: true }).first().click()
      await expect.poll(() => dialog.count()).toBe(0)

      // Vera sees it read-only: no Edit, no Permissions, no Delete.
      const veraPage = await browserOf(vera)
      expect(await dashboardNames(veraPage)).toEqual(expect.arrayContaining(['Payroll overview', 'Team notes']))
      await veraPage.getByRole('link', { name: 'Payroll overview', exact: true }).click()
      await visible(veraPage.getByRole('heading', { name: 'Payroll overview', level: 1 }))
      await visible(veraPage.getByRole('article', { name: 'About payroll' }))
      expect(await veraPage.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0)
      await veraPage.locator('summary[aria-label="More actions"]').click()
      await visible(veraPage.getByRole('button', { name: 'Usage' }))
      expect(await veraPage.getByRole('button', { name: 'Permissions' }).count()).toBe(0)
      expect(await veraPage.getByRole('button', { name: /^Delete/ }).count()).toBe(0)
      await veraPage.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-permissions-viewer.png'), fullPage: true })

      // Nate neither lists it nor opens it by its URL.
      const natePage = await browserOf(nate)
      const nateNames = await dashboardNames(natePage)
      expect(nateNames).toContain('Team notes')
      expect(nateNames).not.toContain('Payroll overview')
      await natePage.goto(`/orgs/${orgId}/dashboards/${dashboardId}`)
      await visible(natePage.getByText('Not found', { exact: true }))
      expect(await natePage.getByRole('heading', { name: 'Payroll overview' }).count()).toBe(0)
      await natePage.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-permissions-not-found.png'), fullPage: true })

      // The owner opens it to everyone again; Nate sees it.
      dialog = await openPermissions(page)
      await dialog.getByRole('button', { name: 'Make visible to everyone again' }).click()
      await dialog.getByRole('button', { name: 'Yes, make it visible to everyone' }).click()
      await visible(dialog.getByText('Everyone in the organization can see this dashboard again.'))
      await visible(dialog.getByText('Everyone in the organization', { exact: true }))
      expect(await dialog.getByRole('button', { name: 'Make visible to everyone again' }).count()).toBe(0)
      expect(await dashboardNames(natePage)).toEqual(expect.arrayContaining(['Payroll overview', 'Team notes']))
      await natePage.getByRole('link', { name: 'Payroll overview', exact: true }).click()
      await visible(natePage.getByRole('heading', { name: 'Payroll overview', level: 1 }))
      expect(problems).toEqual([])
    })
  }, 240_000)
})
