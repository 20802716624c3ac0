import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Logger, run, type Runner } from 'graphile-worker'
import { chromium, type Browser } from 'playwright-core'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../src/app.ts'
import { backupTasks } from '../src/modules/backup/backup.jobs.ts'
import { MANUAL_BACKUP_TASK } from '../src/modules/backup/backup.queue.ts'
import { installQueueSchema } from '../src/modules/jobs/jobs.runner.ts'
import { createServices, type Services } from '../src/platform/services.ts'
import { createTestApp, setupAdmin, testConfig, type Session, type TestContext } from '../test/app.ts'
import { testRuntime } from '../test/runtime.ts'
import { SCREENSHOTS, signIn, visible } from './harness.ts'

/**
 * The admin Backups page in the browser: reached from the admin navigation, it says there is
 * no backup yet, "Back up now" queues one ("Backing up…" until a worker writes it), the list
 * then shows it, and its Download link serves the archive. The worker is graphile-worker in
 * this process, with only the manual backup task (no crontab: no scheduled backup meanwhile). The app runs with DATABASE_URL set to the test database's superuser URL (the
 * shared harness's app has no DATABASE_URL, so a backup there would look for an embedded
 * PostgreSQL in its TESSERA_HOME).
 */
describe('backups page', () => {
  let ctx: TestContext
  let app: App
  let services: Services
  let worker: Runner | undefined
  let browser: Browser
  let admin: Session
  let home: string
  let baseUrl: string

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/build-web-if-needed.mjs'], { encoding: 'utf8' })
    expect(built.status, built.stderr).toBe(0)
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    baseUrl = `http://127.0.0.1:${port}`
    ctx = await createTestApp()
    await installQueueSchema(ctx.testDb.ownerUrl)
    admin = await setupAdmin(ctx.app)
    home = mkdtempSync(path.join(tmpdir(), 'tessera-e2e-backups-'))
    const config = testConfig({ PUBLIC_URL: baseUrl, DATABASE_URL: ctx.testDb.adminUrl, TESSERA_HOME: home })
    services = createServices(config, ctx.database, ctx.testDb.ownerUrl, { settingsTtlMs: 0 })
    app = await buildApp(services)
    await app.listen({ port, host: '127.0.0.1' })
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
    mkdirSync(SCREENSHOTS, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await worker?.stop()
    await app?.close()
    await ctx?.close()
    rmSync(home, { recursive: true, force: true })
  })

  it('backs up now, lists the backup and downloads it', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 }, acceptDownloads: true })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    try {
      await page.goto('/login')
      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/settings')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Backups' }).click()
      await page.waitForURL(/\/admin\/backups$/)
      await visible(page.getByText('No backups yet'))
      await visible(page.getByText('every 24 hours (backup_frequency_hours) and keeps the newest 7'))
      await page.screenshot({ path: path.join(SCREENSHOTS, 'backups-01-empty.png'), fullPage: true })

      await page.getByRole('button', { name: 'Back up now' }).click()
      // Queued: nothing is written inside the request, the page waits for the worker.
      await visible(page.getByRole('status').filter({ hasText: 'Queued at' }))
      await visible(page.getByRole('button', { name: 'Backing up…' }))
      expect(await page.locator('table tbody tr').count()).toBe(0)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'backups-02-queued.png'), fullPage: true })

      const task = backupTasks(testRuntime(services, ctx.database, ctx.testDb), pino({ level: 'silent' }))[MANUAL_BACKUP_TASK]!
      worker = await run({ pgPool: ctx.database.pool, taskList: { [MANUAL_BACKUP_TASK]: task }, pollInterval: 200, noHandleSignals: true, logger: new Logger(() => () => undefined) })
      await visible(page.getByRole('status').filter({ hasText: 'written' }))
      await visible(page.getByRole('button', { name: 'Back up now' }))
      const rows = page.locator('table tbody tr')
      await expect.poll(() => rows.count()).toBe(1)
      const name = (await rows.first().locator('code').textContent()) ?? ''
      expect(name).toMatch(/^tessera-backup-\d{8}T\d{6}Z\.tar$/)
      expect(await rows.first().textContent()).toMatch(/tables/)
      await page.screenshot({ path: path.join(SCREENSHOTS, 'backups-03-written.png'), fullPage: true })

      const [download] = await Promise.all([page.waitForEvent('download'), rows.first().getByRole('link', { name: 'Download' }).click()])
      expect(download.suggestedFilename()).toBe(name)
      const saved = path.join(home, 'downloaded.tar')
      await download.saveAs(saved)
      expect(readFileSync(saved).equals(readFileSync(path.join(home, 'backups', name)))).toBe(true)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  }, 120_000)
})
