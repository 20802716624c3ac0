import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The admin Database page in the browser: reached from the admin navigation, it shows the
 * health check with its badges, sorts the table statistics (a table full of dead tuples comes
 * first by dead tuples), lists a transaction held open, and gives the pg_stat_statements hint
 * when the extension is missing.
 */
describe('database health page', () => {
  let app: BrowserApp
  let admin: Session

  beforeAll(async () => {
    app = await startBrowserApp('database-health')
    admin = await setupAdmin(app.ctx.app)
    const db = app.ctx.admin
    await db.query('drop extension if exists pg_stat_statements')
    await db.query('create table public.e2e_churn (id integer primary key, pad text) with (autovacuum_enabled = false)')
    await db.query("insert into public.e2e_churn select g, repeat('z', 300) from generate_series(1, 5000) g")
    await db.query('delete from public.e2e_churn where id % 5 <> 0')
    await db.query('select pg_stat_force_next_flush()')
  })

  afterAll(async () => {
    await app?.close()
  })

  it('shows the health of the database, sorted tables and the pg_stat_statements hint', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/settings')
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Database' }).click()
      await page.waitForURL(/\/admin\/database$/)

      const health = page.getByRole('region', { name: 'Health check' })
      await visible(health.getByText('Oldest open transaction'))
      await expect.poll(() => health.getByText('OK', { exact: true }).count()).toBeGreaterThanOrEqual(5)

      const hint = page.getByRole('status').filter({ hasText: 'Enable pg_stat_statements' })
      await visible(hint)
      // Which step is missing depends on the server: the embedded one preloads the library (the
      // extension just needs creating), a stock server does not.
      const { rows } = await app.ctx.admin.query<{ preloaded: boolean }>("select current_setting('shared_preload_libraries') like '%pg_stat_statements%' as preloaded")
      expect(await hint.textContent()).toContain(rows[0]!.preloaded ? 'CREATE EXTENSION pg_stat_statements' : 'shared_preload_libraries')

      // Sorting by dead tuples puts the churned table first (4,000 dead of 5,000).
      const tables = page.getByRole('table', { name: 'Tables' })
      await tables.getByRole('button', { name: 'Dead tuples' }).click()
      await expect.poll(async () => (await tables.locator('tbody tr').first().textContent()) ?? '').toContain('public.e2e_churn')
      expect(await tables.locator('tbody tr').first().textContent()).toContain('4,000')
      expect(await tables.getByRole('columnheader', { name: /Dead tuples/ }).getAttribute('aria-sort')).toBe('descending')
      await tables.getByRole('button', { name: 'Dead tuples' }).click()
      expect(await tables.getByRole('columnheader', { name: /Dead tuples/ }).getAttribute('aria-sort')).toBe('ascending')

      await visible(page.getByRole('table', { name: 'Unused indexes' }))
      await visible(page.getByRole('region', { name: 'Partitions' }).getByRole('link', { name: 'Storage' }))
      await snap('page')
      await page.evaluate(() => window.scrollTo(0, 0))
      await snap('health', { viewport: true })
      await page.getByRole('region', { name: 'Slow queries' }).scrollIntoViewIfNeeded()
      await snap('tables', { viewport: true })
      await page.getByRole('region', { name: 'Index usage' }).scrollIntoViewIfNeeded()
      await snap('indexes', { viewport: true })
      await page.getByRole('region', { name: 'Partitions' }).scrollIntoViewIfNeeded()
      await snap('partitions', { viewport: true })
      expect(problems).toEqual([])
    })
  })
})
