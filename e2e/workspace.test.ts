import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { timeStep, totpAt } from '../src/modules/auth/totp.ts'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, signOut, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The pages an organization owner and an instance administrator use after onboarding:
 * teams, API keys (secret shown once), the audit log, two-factor enrolment and sign-in
 * with a backup code, instance settings (errors next to the field), user suspension,
 * and a password reset followed from the mail outbox.
 */
describe('workspace pages in the browser', () => {
  let app: BrowserApp
  let admin: Session
  let owner: Session
  let member: Session
  let orgId: string

  beforeAll(async () => {
    app = await startBrowserApp('workspace')
    const server = app.ctx.app
    // The accounts and the organization come from the API; the onboarding test covers their UI.
    admin = await setupAdmin(server)
    owner = await registerUser(server, { email: 'owen.owner@example.com', name: 'Owen Owner' })
    member = await registerUser(server, { email: 'mia.member@example.com', name: 'Mia Member' })
    const org = await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Globex Insights', slug: 'globex-insights' } })
    expect(org.statusCode).toBe(201)
    orgId = (org.json() as { id: string }).id
    const added = await server.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/members`, headers: owner.headers, payload: { email: member.email, role: 'viewer' } })
    expect((added.json() as { status: string }).status).toBe('added')
  })

  afterAll(async () => {
    await app?.close()
  })

  it('lets an owner manage teams, API keys, the audit log and two-factor sign-in', async () => {
    await app.run(async () => {
      const { page, snap } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(new RegExp(`/orgs/${orgId}/members$`))
      await visible(page.getByRole('cell', { name: member.email, exact: true }))

      // Teams: the empty state says what to do; create one and add a member.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teams' }).click()
      await visible(page.getByText('No teams yet'))
      await snap('teams-empty')
      await page.getByLabel('Team name', { exact: true }).fill('Data Engineering')
      await page.getByLabel('Description (optional)', { exact: true }).fill('Pipelines and warehouse')
      await page.getByRole('button', { name: 'Create team' }).click()
      await page.getByRole('link', { name: 'Data Engineering' }).click()
      await visible(page.getByRole('heading', { name: 'Data Engineering', level: 1 }))
      await visible(page.getByText('This team has no members yet'))
      await page.getByLabel('Member', { exact: true }).selectOption({ label: `Mia Member (${member.email})` })
      await page.getByLabel('Team role', { exact: true }).selectOption('maintainer')
      await page.getByRole('button', { name: 'Add to team' }).click()
      await visible(page.getByRole('cell', { name: member.email, exact: true }))
      await snap('team-detail')

      // API keys: validation next to the field, then the secret once, then revoke.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click()
      await visible(page.getByText('No API keys yet'))
      await page.getByRole('button', { name: 'Create API key' }).click()
      await visible(page.getByText('Name the key after what uses it'))
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name')
      await page.getByLabel('Key name', { exact: true }).fill('CI ingest')
      await page.getByRole('checkbox', { name: /Ingest/ }).check()
      await page.getByRole('button', { name: 'Create API key' }).click()
      const secret = page.getByLabel('Secret key', { exact: true })
      await visible(secret)
      expect(await secret.inputValue()).toMatch(/^tsk_/)
      await visible(page.getByText("Copy this key now. You won't be able to see it again."))
      await snap('api-key-secret')
      await page.getByRole('button', { name: 'I have stored the key' }).click()
      expect(await page.getByLabel('Secret key', { exact: true }).count()).toBe(0)
      const keyRow = page.getByRole('row').filter({ hasText: 'CI ingest' })
      await visible(keyRow.getByText('Active'))
      await keyRow.getByRole('button', { name: 'Revoke key CI ingest' }).click()
      await keyRow.getByRole('button', { name: 'Confirm revoke key CI ingest' }).click()
      await visible(keyRow.getByText('Revoked'))
      await snap('api-key-revoked')

      // The audit log lists what just happened.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
      await visible(page.getByRole('heading', { name: 'Audit log', level: 1 }))
      await expect.poll(() => page.locator('table tbody tr').count()).toBeGreaterThan(0)
      await snap('org-audit')

      // Organization settings: a rename shows up in the switcher at once.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization settings' }).click()
      await page.getByLabel('Name', { exact: true }).fill('Globex Insights EU')
      await page.getByRole('button', { name: 'Save changes' }).click()
      await visible(page.getByText('Saved.'))
      await visible(page.getByRole('button', { name: 'Organization: Globex Insights EU. Switch organization' }))
      await snap('org-settings')

      // Two-factor enrolment: QR code, confirm a code, backup codes shown once.
      await page.getByRole('button', { name: 'Owen Owner: account menu' }).click()
      await page.getByRole('link', { name: 'Account settings' }).click()
      await page.getByRole('button', { name: 'Set up two-factor authentication' }).click()
      const qr = page.getByRole('img', { name: 'QR code for adding Tessera to an authenticator app' })
      await visible(qr)
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/)
      await page.getByText("Can't scan it? Enter the key by hand").click()
      const totpSecret = ((await page.locator('.secret-text').textContent()) ?? '').trim()
      expect(totpSecret).toMatch(/^[A-Z2-7]+=*$/)
      await snap('two-factor-qr')
      await page.getByLabel('Code from the app', { exact: true }).fill(totpAt(totpSecret, timeStep()))
      await page.getByRole('button', { name: 'Turn on two-factor' }).click()
      const codes = page.getByRole('list', { name: 'Backup codes' }).getByRole('listitem')
      await expect.poll(() => codes.count()).toBeGreaterThanOrEqual(8)
      const backupCode = ((await codes.first().textContent()) ?? '').trim()
      await snap('two-factor-backup-codes')
      await page.getByRole('button', { name: 'I have saved my backup codes' }).click()
      await visible(page.locator('#two-factor').getByText('On', { exact: true }))
      await visible(page.getByRole('cell', { name: /This session/ }))
      await snap('account')

      // Signing in again asks for the second factor; a backup code works once.
      await signOut(page, 'Owen Owner')
      await signIn(page, owner.email)
      await visible(page.getByRole('heading', { name: 'Two-factor authentication' }))
      await snap('sign-in-two-factor')
      await page.getByLabel('Authentication code', { exact: true }).fill(backupCode)
      await page.getByRole('button', { name: 'Verify and sign in' }).click()
      await page.waitForURL(new RegExp(`/orgs/${orgId}/members$`))
      expect(app.problems).toEqual([])
    })
  }, 180_000)

  it('lets an administrator change settings, suspend users and follow a reset link from the outbox', async () => {
    await app.run(async () => {
      const { page, snap } = app
      await app.context.clearCookies()
      await page.goto('/login')

      // The member asks for a password reset; without SMTP the mail waits in the outbox.
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.getByLabel('Email', { exact: true }).fill(member.email)
      await page.getByRole('button', { name: 'Send reset link' }).click()
      await visible(page.getByText('Check your inbox'))
      await snap('forgot-password')

      await page.goto('/login')
      await signIn(page, admin.email)
      await visible(page.getByRole('heading', { name: /^Welcome/ }))

      // Settings: an out-of-range value is refused next to its input; a valid one is saved.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
      const minLength = page.getByLabel('Minimum password length', { exact: true })
      await visible(minLength)
      await minLength.fill('5')
      await page.getByRole('button', { name: 'Save Minimum password length' }).click()
      const setting = page.locator('form.setting').filter({ has: minLength })
      await visible(setting.locator('.field-error'))
      expect(await setting.locator('.field-error').textContent()).toMatch(/at least 8/)
      expect(await minLength.getAttribute('aria-invalid')).toBe('true')
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('value')
      await snap('settings-error', { viewport: true })
      await minLength.fill('12')
      await setting.getByLabel('Reason for the change (optional)').fill('Longer passwords for everyone')
      await page.getByRole('button', { name: 'Save Minimum password length' }).click()
      await visible(setting.getByText('Saved.'))

      // Users: suspend and reactivate the member.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click()
      const memberRow = page.getByRole('row').filter({ hasText: member.email })
      await memberRow.getByRole('button', { name: `Suspend ${member.email}` }).click()
      await memberRow.getByRole('button', { name: `Confirm suspend ${member.email}` }).click()
      await visible(memberRow.getByText('Suspended', { exact: true }))
      await snap('users-suspended')
      await memberRow.getByRole('button', { name: `Reactivate ${member.email}` }).click()
      await memberRow.getByRole('button', { name: `Confirm reactivate ${member.email}` }).click()
      await visible(memberRow.getByText('Active', { exact: true }))

      // The instance audit log shows the setting change with its reason.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click()
      await visible(page.getByRole('heading', { name: 'Instance audit log' }))
      await expect.poll(() => page.locator('table tbody tr').count()).toBeGreaterThan(0)
      await snap('admin-audit')

      // Follow the reset link from the outbox.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mail outbox' }).click()
      const resetMail = page.locator('li.mail').filter({ hasText: 'Reset your Tessera password' })
      await expect.poll(() => resetMail.count()).toBe(1)
      await resetMail.locator('summary').click()
      const resetUrl = await resetMail.locator('a[href*="/reset-password?token="]').getAttribute('href')
      expect(resetUrl).toBeTruthy()
      await signOut(page, 'Instance Admin')
      await page.goto(resetUrl ?? '')
      await page.getByLabel('New password', { exact: true }).fill('short-pass')
      await page.getByLabel('Repeat the new password', { exact: true }).fill('short-pass')
      await page.getByRole('button', { name: 'Set new password' }).click()
      // The new 12-character minimum comes from the server and lands next to the field.
      await visible(page.locator('.field-error'))
      await snap('reset-password-error')
      const newPassword = 'a much longer passphrase'
      await page.getByLabel('New password', { exact: true }).fill(newPassword)
      await page.getByLabel('Repeat the new password', { exact: true }).fill(newPassword)
      await page.getByRole('button', { name: 'Set new password' }).click()
      await page.waitForURL(/\/login\?reset=1/)
      await signIn(page, member.email, newPassword)
      await page.waitForURL(new RegExp(`/orgs/${orgId}/members$`))
      await visible(page.getByText('Your role: Viewer.'))
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).count()).toBe(0)
      await snap('member-after-reset')

      // On a phone the navigation folds behind the menu button.
      await page.setViewportSize({ width: 390, height: 844 })
      await page.emulateMedia({ reducedMotion: 'reduce' })
      const nav = page.getByRole('navigation', { name: 'Main' })
      await expect.poll(() => nav.getByRole('link', { name: 'Teams' }).isVisible()).toBe(false)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await snap('mobile-members')
      await page.getByRole('button', { name: 'Menu', exact: true }).click()
      await visible(nav.getByRole('link', { name: 'Teams' }))
      await snap('mobile-navigation', { viewport: true })
      await nav.getByRole('link', { name: 'Teams' }).click()
      await visible(page.getByRole('heading', { name: 'Teams', level: 1 }))
      await expect.poll(() => nav.getByRole('link', { name: 'Teams' }).isVisible()).toBe(false)
      expect(app.problems).toEqual([])
    })
  }, 180_000)
})
