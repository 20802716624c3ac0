import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD } from '../test/app.ts'
import { signIn, signOut, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The onboarding journey through the real UI: setup → sign out → register → sign in →
 * create an organization → invite an unknown address → read the invitation in the admin
 * mail outbox → the invitee registers through the link → sees the organization in the
 * organization switcher.
 */
describe('onboarding in the browser', () => {
  let app: BrowserApp

  beforeAll(async () => {
    app = await startBrowserApp('onboarding')
  })

  afterAll(async () => {
    await app?.close()
  })

  it('takes an administrator, an owner and an invited member from nothing to a shared organization', async () => {
    await app.run(journey)
  }, 180_000)

  async function journey(): Promise<void> {
    const { page, baseUrl, snap } = app
    const adminEmail = 'ada.admin@example.com'
    const ownerEmail = 'olivia.owner@example.com'
    const memberEmail = 'mark.member@example.com'

    // 1. A fresh instance sends the first visitor to setup.
    await page.goto('/')
    await page.waitForURL(/\/setup$/)
    await visible(page.getByRole('heading', { name: 'Set up Tessera' }))
    expect(await page.getByLabel('Setup token', { exact: true }).count()).toBe(0)
    // An empty submit shows the errors next to the fields and focuses the first one.
    await page.getByRole('button', { name: 'Create administrator' }).click()
    await visible(page.getByText('Enter your name'))
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name')
    await snap('setup-validation')
    await page.getByLabel('Your name', { exact: true }).fill('Ada Admin')
    await page.getByLabel('Email', { exact: true }).fill(adminEmail)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await snap('setup-filled')
    await page.getByRole('button', { name: 'Create administrator' }).click()
    await visible(page.getByRole('heading', { name: 'Welcome, Ada Admin' }))
    expect(await page.getByRole('link', { name: 'Mail outbox' }).isVisible()).toBe(true)
    await snap('admin-welcome')

    // 2. Sign out.
    await signOut(page, 'Ada Admin')
    await snap('signed-out')

    // 3. A new user registers, then signs in.
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.waitForURL(/\/register/)
    await page.getByLabel('Your name', { exact: true }).fill('Olivia Owner')
    await page.getByLabel('Email', { exact: true }).fill(ownerEmail)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await snap('register')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/login\?/)
    await visible(page.getByText('Your account is ready. Sign in to continue.'))
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(ownerEmail)
    // A wrong password is reported in the form's alert.
    await signIn(page, ownerEmail, 'not the password at all')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Email or password is incorrect')
    await snap('sign-in-error')
    await signIn(page, ownerEmail)
    await visible(page.getByRole('heading', { name: 'Welcome, Olivia Owner' }))
    expect(await page.getByRole('link', { name: 'Mail outbox' }).count()).toBe(0)

    // 4. Create an organization; the slug follows the name.
    await page.getByLabel('Organization name', { exact: true }).fill('Acme Analytics')
    expect(await page.getByLabel('URL name (slug)', { exact: true }).inputValue()).toBe('acme-analytics')
    await snap('create-organization')
    await page.getByRole('button', { name: 'Create organization' }).click()
    await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/members$/)
    const orgUrl = new URL(page.url())
    const orgId = orgUrl.pathname.split('/')[2]
    await visible(page.getByRole('heading', { name: 'Members', level: 1 }))
    await visible(page.getByRole('cell', { name: ownerEmail, exact: true }))
    expect(await page.getByRole('button', { name: /Organization: Acme Analytics/ }).isVisible()).toBe(true)

    // 5. Invite an address that has no account: it becomes a pending invitation.
    await page.getByLabel('Email address', { exact: true }).fill(memberEmail)
    await page.getByLabel('Role', { exact: true }).selectOption('member')
    await page.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(page.getByText('Invitation sent'))
    const invitations = page.locator('#invitations')
    await visible(invitations.getByRole('cell', { name: memberEmail, exact: true }))
    await snap('member-invited')

    // 6. The administrator reads the invitation in the mail outbox (no SMTP in tests).
    await signOut(page, 'Olivia Owner')
    await signIn(page, adminEmail)
    await visible(page.getByRole('heading', { name: 'Welcome, Ada Admin' }))
    await page.getByRole('link', { name: 'Mail outbox' }).click()
    await page.waitForURL(/\/admin\/mail$/)
    const invitationMail = page.locator('li.mail').filter({ hasText: 'You are invited to Acme Analytics on Tessera' })
    await expect.poll(() => invitationMail.count()).toBe(1)
    await invitationMail.locator('summary').click()
    const link = invitationMail.locator('a[href*="/invite?token="]')
    const invitationUrl = await link.getAttribute('href')
    expect(invitationUrl).toMatch(new RegExp(`^${baseUrl}/invite\\?token=`))
    await snap('admin-mail-outbox')
    await signOut(page, 'Ada Admin')

    // 7. The invitee follows the link, registers with the invited address and signs in.
    await page.goto(invitationUrl ?? '')
    await visible(page.getByRole('heading', { name: 'Join Acme Analytics' }))
    expect(await page.getByText(memberEmail).first().isVisible()).toBe(true)
    await snap('invitation-landing')
    await page.getByRole('link', { name: 'Create an account and join' }).click()
    await page.waitForURL(/\/register\?/)
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(memberEmail)
    await visible(page.getByRole('heading', { name: 'Create your account to join Acme Analytics' }))
    await page.getByLabel('Your name', { exact: true }).fill('Mark Member')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await snap('invitee-register')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/login\?/)
    await signIn(page, memberEmail)

    // 8. The member lands in the organization and finds it in the switcher.
    await page.waitForURL(new RegExp(`/orgs/${orgId}/members$`))
    await visible(page.getByRole('cell', { name: memberEmail, exact: true }))
    await page.getByRole('button', { name: /Organization: Acme Analytics/ }).click()
    const switcherEntry = page.locator('.switcher-popover').getByRole('link', { name: /Acme Analytics/ })
    await visible(switcherEntry)
    expect(await switcherEntry.textContent()).toContain('Member')
    await snap('member-switcher')

    // The server agrees: one active membership with the invited role, and the invitation is used.
    const { rows } = await app.ctx.admin.query<{ role: string; status: string }>(
      `select m.role, m.status from app.organization_members m join auth.users u on u.id = m.user_id where u.email = $1 and m.organization_id = $2`,
      [memberEmail, orgId],
    )
    expect(rows).toEqual([{ role: 'member', status: 'active' }])
    expect(app.problems).toEqual([])
  }
})
