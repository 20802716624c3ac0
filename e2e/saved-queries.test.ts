import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * Saved queries in the browser: the empty state sends you to data sources; with a PostgreSQL
 * source (a scratch database on the test server) you write SQL with a {{parameter}}, run it,
 * see the rows, save it, and see a failing query explained.
 */
describe('Saved queries', () => {
  let app: BrowserApp
  let owner: Session
  let orgId: string
  let scratch: pg.Client
  const suffix = randomBytes(4).toString('hex')
  const role = `e2e_sq_${suffix}`
  const password = `pw-${randomBytes(8).toString('hex')}`
  let database: string
  let port: number

  beforeAll(async () => {
    app = await startBrowserApp('saved-queries')
    const server = app.ctx.app
    await setupAdmin(server)
    owner = await registerUser(server, { email: 'quinn.query@example.com', name: 'Quinn Query' })
    orgId = (await server.inject({ method: 'POST', url: '/api/v1/orgs', headers: owner.headers, payload: { name: 'Initech Sales', slug: `initech-${suffix}` } })).json().id

    database = `${app.ctx.testDb.name}_e2e_sq`
    const adminUrl = new URL(app.ctx.testDb.adminUrl)
    port = Number(adminUrl.port || 5432)
    await app.ctx.admin.query(`create database ${database}`)
    await app.ctx.admin.query(`create role ${role} login password '${password}'`)
    adminUrl.pathname = `/${database}`
    scratch = new pg.Client({ connectionString: adminUrl.toString() })
    await scratch.connect()
    await scratch.query('create table orders (id integer primary key, customer text not null, region text not null, total numeric(10, 2) not null, placed_at date not null)')
    await scratch.query(`insert into orders
      select i, (array['Acme', 'Globex', 'Umbrella', 'Hooli', 'Stark'])[1 + i % 5], (array['eu', 'us', 'apac'])[1 + i % 3], round((i * 17.35) % 900 + 25, 2), date '2024-03-01' + i
        from generate_series(1, 60) i`)
    await scratch.query(`grant select on all tables in schema public to ${role}`)
  })

  afterAll(async () => {
    await scratch?.end()
    await app?.ctx.admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined)
    await app?.ctx.admin.query(`drop role if exists ${role}`).catch(() => undefined)
    await app?.close()
  })

  it('writes a query with a parameter, runs it, sees rows, saves it, and explains a failure', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(/\/orgs\//)

      // No SQL source yet: the page says what to do first.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queries' }).click()
      await visible(page.getByText('Connect a database first'))
      await visible(page.getByRole('link', { name: 'Add a data source' }))
      await snap('empty')

      const source = await app.ctx.app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${orgId}/data-sources`,
        headers: owner.headers,
        payload: { name: 'Sales warehouse', type: 'postgresql', config: { host: '127.0.0.1', port, database, user: role, password, sslMode: 'prefer' } },
      })
      expect(source.statusCode, source.body).toBe(201)
      await page.reload()
      await visible(page.getByText('No saved queries yet'))
      await page.getByRole('link', { name: 'New query' }).first().click()
      await page.waitForURL(/\/queries\/new$/)

      await page.getByLabel('Name', { exact: true }).fill('Big orders by region')
      await expect.poll(() => page.getByLabel('Data source').inputValue()).not.toBe('')
      // The highlighted editor is loaded on demand.
      const editor = page.locator('.sql-editor .cm-content')
      await visible(editor)
      await editor.fill('select id, customer, region, total, placed_at\n  from orders\n where region = {{region}} and total >= {{min_total}}\n order by total desc')
      await visible(page.getByLabel('Type of region'))
      expect(await page.locator('.sql-editor .cm-line span').count()).toBeGreaterThan(3)
      expect(await page.getByLabel('Type of min_total').inputValue()).toBe('number')
      await page.getByLabel('Test value of region').fill('eu')
      await page.getByLabel('Test value of min_total').fill('500')
      await page.getByRole('button', { name: 'Run' }).click()

      const expected = (await scratch.query("select count(*)::int as n from orders where region = 'eu' and total >= 500")).rows[0].n as number
      expect(expected).toBeGreaterThan(1)
      await visible(page.getByText(`${expected} rows`, { exact: true }))
      const table = page.locator('.query-result-table table')
      await expect.poll(() => table.locator('tbody tr').count()).toBe(expected)
      await visible(table.getByRole('columnheader', { name: /customer/ }))
      expect(await table.locator('tbody tr').first().locator('td').nth(2).textContent()).toBe('eu')
      await snap('run')

      await page.getByRole('button', { name: 'Save query' }).click()
      await page.waitForURL(/\/queries\/[0-9a-f-]{36}$/)
      await visible(page.getByRole('heading', { name: 'Big orders by region' }))
      const saved = await app.ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgId}/queries`, headers: owner.headers })
      expect(saved.json().queries).toMatchObject([{ name: 'Big orders by region', parameters: [{ name: 'region', type: 'text', default: 'eu' }, { name: 'min_total', type: 'number' }] }])
      // The test value is saved as the default (the API's schema may keep a number as its text).
      expect(String(saved.json().queries[0].parameters[1].default)).toBe('500')

      // Unchanged since the save: Run uses the saved query, and the second run is cached.
      await page.getByRole('button', { name: 'Run' }).click()
      await visible(page.locator('.query-result-meta').getByText('Fresh'))
      await page.getByRole('button', { name: 'Run' }).click()
      await visible(page.locator('.query-result-meta').getByText('Cached'))
      await snap('saved-cached')

      await editor.fill('select no_such_column from orders')
      await page.getByRole('button', { name: 'Run' }).click()
      await visible(page.getByText('The query failed'))
      await visible(page.getByRole('alert').getByText(/column "no_such_column" does not exist/))
      await snap('error')

      await page.getByRole('link', { name: '← All queries' }).click()
      const row = page.getByRole('row', { name: /Big orders by region/ })
      await visible(row)
      // The data source's name arrives with its own request.
      await expect.poll(() => row.textContent()).toContain('Sales warehouse')
      await expect.poll(() => row.textContent()).toContain('5 min')
      await snap('list')
      expect(problems).toEqual([])
    })
  })
})
