import type { IncomingMessage, ServerResponse } from 'node:http'
import pino from 'pino'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startJobRunner } from '../src/modules/jobs/jobs.runner.ts'
import { workflowTasks } from '../src/modules/workflows/workflows.jobs.ts'
import { registerUser, setupAdmin, type Session } from '../test/app.ts'
import { sendJson, startHttpPeer, type HttpPeer } from '../test/http-peer.ts'
import { testRuntime } from '../test/runtime.ts'
import { createOrg, type OrgFixture } from '../test/tenancy.ts'
import { prepareWorkflows } from '../test/workflows.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The data-in journey in the browser, against real peers: an HTTP JSON API on loopback (bearer
 * token, page-number pagination) becomes a data source, a polling pipeline maps its records,
 * a real job runner runs the pipeline, and the run page and the stored data show the result.
 */

const TOKEN = 'e2e-orders-token'
/** 12 orders, served 5 per page; amounts are strings the mapping casts to numbers. */
const ORDERS = Array.from({ length: 12 }, (_, i) => ({
  id: i + 1,
  name: `Widget ${i + 1}`,
  amount: (i * 2.5 + 10).toFixed(2),
  created_at: new Date(Date.UTC(2024, 4, 1, 9, i)).toISOString(),
}))

function ordersApi(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://peer')
  if (request.headers.authorization !== `Bearer ${TOKEN}`) {
    return sendJson(response, 401, { error: 'missing or wrong bearer token' })
  }
  if (url.pathname !== '/orders') {
    return sendJson(response, 404, { error: 'not found' })
  }
  const page = Number(url.searchParams.get('page') ?? 1)
  const size = Number(url.searchParams.get('per_page') ?? 5)
  sendJson(response, 200, { data: ORDERS.slice((page - 1) * size, page * size), page })
}

/** Waits longer than visible(): runs and connection tests take a few seconds. */
async function shown(page: Page, locator: ReturnType<Page['getByText']>, timeout = 30_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout })
}

describe('the data-in journey in the browser', () => {
  let app: BrowserApp
  let peer: HttpPeer
  let owner: Session
  let org: OrgFixture
  let worker: { stop(): Promise<void> } | undefined

  beforeAll(async () => {
    app = await startBrowserApp('pipelines')
    const { ctx } = app
    peer = await startHttpPeer(ordersApi)
    // Loopback is refused unless an administrator allowlists it (security.outbound_allowlist);
    // this also installs the job queue's schema.
    await prepareWorkflows(ctx)
    await setupAdmin(ctx.app)
    owner = await registerUser(ctx.app, { email: 'dana.data@example.com', name: 'Dana Data' })
    org = await createOrg(ctx.app, owner, { name: 'Northwind Orders' })
    // The same job runner `tessera worker` starts, in this process, on the test database.
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
    const runtime = testRuntime(ctx.services, ctx.database, ctx.testDb)
    worker = await startJobRunner(runtime, logger, { heartbeatMs: 500, pollIntervalMs: 200, tasks: workflowTasks(runtime, logger, { heartbeatMs: 200, slotWaitMs: 200 }) })
  })

  afterAll(async () => {
    await worker?.stop()
    await peer?.close()
    await app?.close()
  })

  it('creates an HTTP source, maps it in a polling pipeline, runs it and shows the stored rows', async () => {
    await app.run(async () => {
      const { page, snap } = app
      const main = page.getByRole('navigation', { name: 'Main' })
      await page.goto('/login')
      await signIn(page, owner.email)
      await page.waitForURL(new RegExp(`/orgs/${org.id}/`))

      // 1. An HTTP JSON API data source with a bearer token and page-number pagination.
      await main.getByRole('link', { name: 'Data sources' }).click()
      await page.getByRole('link', { name: 'New data source' }).first().click()
      await page.getByRole('radio', { name: /HTTP JSON API/ }).click()
      await page.waitForURL(/[?&]type=api/)
      await page.getByLabel('Name', { exact: true }).fill('Orders API')
      await page.getByLabel('URL', { exact: true }).fill(`${peer.url}/orders`)
      await page.getByLabel('Authentication', { exact: true }).selectOption('bearer')
      await page.getByLabel('Bearer token', { exact: true }).fill(TOKEN)
      await page.getByLabel('Pagination', { exact: true }).selectOption('page')
      await page.getByLabel('Page parameter', { exact: true }).fill('page')
      await page.getByLabel('Size parameter (optional)', { exact: true }).fill('per_page')
      await page.getByLabel('Page size', { exact: true }).fill('5')
      await page.getByLabel('Records path (optional)', { exact: true }).fill('data')
      await snap('data-source-form')
      await page.getByRole('button', { name: 'Create data source' }).click()
      await visible(page.getByRole('heading', { name: 'Orders API', level: 1 }))

      // 2. Test the connection: the peer answers because the token is sent.
      await page.getByRole('button', { name: 'Test connection' }).click()
      await shown(page, page.getByText(/Connection succeeded in \d+ ms/))
      expect(peer.requests.some((request) => request.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
      await snap('data-source-tested')

      // 3. A polling pipeline on it.
      await main.getByRole('link', { name: 'Pipelines' }).click()
      await page.getByRole('link', { name: 'New pipeline' }).first().click()
      await page.getByLabel('Name', { exact: true }).fill('Orders')
      await page.getByRole('radio', { name: /^Polling/ }).click()
      await page.getByLabel('Data source', { exact: true }).selectOption({ label: 'Orders API (HTTP JSON API)' })
      await page.getByLabel('Interval (seconds)', { exact: true }).fill('3600')
      await snap('pipeline-form')
      await page.getByRole('button', { name: 'Create pipeline' }).click()
      await visible(page.getByRole('heading', { name: 'Orders', level: 1 }))
      const pipelineUrl = page.url()
      await snap('pipeline-overview')

      // 4. The mapping: id, name, amount as a number, created_at as the record time; preview, then save.
      const tabs = page.getByRole('navigation', { name: 'Pipeline sections' })
      await tabs.getByRole('link', { name: 'Mapping' }).click()
      const fields: Array<[path: string, field: string, type: string]> = [
        ['$.id', 'order_id', 'integer'],
        ['$.name', 'name', 'string'],
        ['$.amount', 'amount', 'number'],
        ['$.created_at', 'created_at', 'timestamp'],
      ]
      for (const [index, [path, field, type]] of fields.entries()) {
        await page.getByRole('button', { name: 'Add field' }).click()
        const row = page.getByRole('group', { name: `Field ${index + 1}` })
        await row.getByLabel('Source path (JSONPath)', { exact: true }).fill(path)
        await row.getByLabel('Field name', { exact: true }).fill(field)
        await row.getByLabel('Type', { exact: true }).selectOption(type)
      }
      await page.getByLabel('Timestamp field', { exact: true }).selectOption('created_at')
      await page.getByLabel('Sample records (JSON)', { exact: true }).fill(JSON.stringify(ORDERS.slice(0, 3), null, 2))
      await page.getByRole('button', { name: 'Preview', exact: true }).click()
      const preview = page.getByRole('region', { name: 'Preview result' })
      await shown(page, preview.getByText('Widget 3'))
      await visible(preview.getByRole('cell', { name: '15', exact: true }))
      await snap('mapping-preview')
      await page.getByRole('button', { name: 'Save mapping' }).click()
      await shown(page, page.getByText(/Mapping saved \(version \d+\)/))
      await snap('mapping-saved')

      // 5. Run now, from the Runs tab: the run page follows the run live until it succeeds.
      await page.goto(`${pipelineUrl}/runs`)
      await page.getByRole('button', { name: 'Run now' }).first().click()
      await page.waitForURL(new RegExp(`/orgs/${org.id}/runs/`))
      await visible(page.getByRole('heading', { name: /^Run #\d+$/, level: 1 }))
      await snap('run-started')
      const summary = page.getByRole('region', { name: 'Summary' })
      await shown(page, summary.getByText('Succeeded', { exact: true }), 60_000)
      const stages = page.getByRole('list', { name: 'Stages' })
      for (const stage of ['Fetching', 'Processing', 'Storing']) {
        await visible(stages.getByRole('listitem', { name: stage }).getByText('Done', { exact: true }))
      }
      await visible(stages.getByRole('listitem', { name: 'Sinks' }).getByText('Skipped', { exact: true }))
      await visible(summary.getByText('12', { exact: true }))
      expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0)
      // Three pages were fetched, each with its SHA-256.
      await expect.poll(() => page.getByRole('button', { name: /^Copy SHA-256 of / }).count()).toBe(3)
      await snap('run-succeeded')

      // 6. The runs list and the statistics count the run.
      await page.getByRole('link', { name: /^← Runs of Orders$/ }).click()
      await visible(page.getByRole('row').filter({ hasText: 'Succeeded' }).first())
      await snap('runs-list')
      // Filters live in the URL; an empty result says so and offers the way back.
      await page.getByLabel('Status', { exact: true }).selectOption('Failed')
      await page.waitForURL(/[?&]status=Failed/)
      await shown(page, page.getByText('No runs match these filters'))
      await page.getByRole('button', { name: 'Clear filters' }).first().click()
      await visible(page.getByRole('row').filter({ hasText: 'Succeeded' }).first())
      await page.getByRole('navigation', { name: 'Pipeline sections' }).getByRole('link', { name: 'Statistics' }).click()
      await shown(page, page.getByText('100%', { exact: true }))
      await page.getByRole('button', { name: 'Last 30 days' }).click()
      await page.waitForURL(/[?&]period=30d/)
      await expect.poll(() => page.getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed')).toBe('true')
      // Today's bar; the scheduler may have run the pipeline once too, as soon as it was created.
      await visible(page.getByRole('listitem', { name: /: \d+ runs? \(\d+ succeeded\)$/ }))
      await snap('statistics')

      // 7. The stored rows, typed by the mapping.
      await page.getByRole('navigation', { name: 'Pipeline sections' }).getByRole('link', { name: 'Data' }).click()
      await shown(page, page.getByRole('cell', { name: 'Widget 12', exact: true }))
      await visible(page.getByRole('cell', { name: 'Widget 1', exact: true }).first())
      // amount came as the string "12.50" and is stored as the number 12.5.
      await visible(page.getByRole('cell', { name: '12.5', exact: true }).first())
      await visible(page.getByRole('heading', { name: 'Records per hour', level: 2 }))
      await snap('pipeline-data')

      // 8. A completeness check on the Quality tab, run at once over the stored rows.
      await page.getByRole('navigation', { name: 'Pipeline sections' }).getByRole('link', { name: 'Quality' }).click()
      await shown(page, page.getByText('No quality checks yet'))
      const addCheck = page.getByRole('form', { name: 'Add a quality check' })
      await addCheck.getByLabel('Name', { exact: true }).fill('Orders complete')
      await addCheck.getByLabel('Required fields', { exact: true }).fill('order_id\nname')
      await addCheck.getByRole('button', { name: 'Add check' }).click()
      const check = page.getByRole('listitem', { name: 'Orders complete' })
      await shown(page, check.getByText('order_id, name required'))
      await check.getByRole('button', { name: 'Run now: Orders complete' }).click()
      const result = check.getByRole('group', { name: 'Run now result' })
      await shown(page, result.getByText('Passed', { exact: true }))
      await visible(result.getByText(/^12 of 12 checked rows passed/))
      await snap('pipeline-quality')

      // The same pages at a phone's width.
      await page.setViewportSize({ width: 375, height: 812 })
      await page.goto(`${pipelineUrl}/runs`)
      await visible(page.getByRole('row').filter({ hasText: 'Succeeded' }).first())
      await page.getByRole('row').filter({ hasText: 'Succeeded' }).first().getByRole('link').click()
      await shown(page, page.getByRole('region', { name: 'Summary' }).getByText('Succeeded', { exact: true }))
      await snap('run-phone')
      await page.goto(`${pipelineUrl}/quality`)
      await shown(page, page.getByRole('listitem', { name: 'Orders complete' }))
      await snap('pipeline-quality-phone')
      expect(app.problems).toEqual([])
    })
  }, 240_000)
})
