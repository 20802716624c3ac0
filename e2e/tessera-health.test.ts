import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregatePerformanceMetrics } from '../src/modules/performance-metrics/performance-metrics.jobs.ts'
import { setupAdmin, type Session } from '../test/app.ts'
import { signIn, startBrowserApp, visible, type BrowserApp } from './harness.ts'

/**
 * The "Tessera health" built-in dashboard in the browser: after real requests, a request log of
 * the last hour, job runs and ingest, and one run of the aggregation, the Health page (reached
 * from the admin navigation) shows the stat cards, a painted ECharts canvas per chart, the
 * slowest routes and the freshness line.
 */
describe('tessera health page', () => {
  let app: BrowserApp
  let admin: Session

  /** Painted pixels of a chart's canvas (0: blank). */
  const painted = (locator: Locator) => locator.locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let count = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++
    return count
  })

  beforeAll(async () => {
    app = await startBrowserApp('tessera-health')
    admin = await setupAdmin(app.ctx.app)
    const db = app.ctx.admin
    // Some real requests (the request-log writer records them), then an hour of history.
    for (let i = 0; i < 5; i++) {
      await app.ctx.app.inject({ method: 'GET', url: '/api/v1/admin/performance-metrics', headers: { cookie: admin.cookie } })
    }
    const routes = [['GET', '/api/v1/orgs/:orgId/dashboards', 40], ['POST', '/api/v1/orgs/:orgId/pipelines/:pipelineId/ingest', 120], ['GET', '/api/v1/admin/database', 260]] as const
    await db.query(
      `insert into telemetry.request_logs (request_id, method, route, path, response_status_code, duration_ms, success, "timestamp")
       select gen_random_uuid()::text, r.method, r.route, r.route, s.status, s.ms, s.status < 400, s.at
         from unnest($1::text[], $2::text[], $3::int[]) as r(method, route, base)
        cross join lateral (
          select date_trunc('minute', now()) - make_interval(mins => m) + make_interval(secs => k) as at,
                 case when (m + k) % 37 = 0 then 500 when (m + k) % 11 = 0 then 404 else 200 end as status,
                 (r.base * (1 + (k % 10) / 5.0 + sin(m / 6.0) / 2))::int as ms
            from generate_series(1, 55) m, generate_series(0, 59, 6) k) s`,
      [routes.map((r) => r[0]), routes.map((r) => r[1]), routes.map((r) => r[2])])
    await db.query(
      `insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome)
       select j.job, date_trunc('minute', now()) - make_interval(mins => m), date_trunc('minute', now()) - make_interval(mins => m) + interval '1 second',
              (j.base + 20 * (m % 7))::int, 'succeeded'
         from (values ('ts:rollup', 80), ('pipeline-data:rollup', 140), ('analytics:refresh-views', 300)) j(job, base), generate_series(1, 55) m`)
    await db.query(
      `insert into ingest.pipeline_data (pipeline_id, organization_id, data, ingested_at)
       select $1, $2, '{}', date_trunc('minute', now()) - make_interval(mins => m) + make_interval(secs => k)
         from generate_series(1, 55) m, generate_series(0, 59, 2 + m % 4) k`, [randomUUID(), randomUUID()])
  })

  async function aggregate() {
    const owner = new pg.Client({ connectionString: app.ctx.testDb.ownerUrl })
    await owner.connect()
    try {
      await aggregatePerformanceMetrics(owner, { environment: 'test', poolSize: 10 })
    } finally {
      await owner.end()
    }
  }

  afterAll(async () => {
    await app?.close()
  })

  it('shows stat cards, painted charts, the slowest routes and the freshness line', async () => {
    await app.run(async () => {
      const { page, snap, problems } = app
      await page.goto('/login')
      await signIn(page, admin.email)
      await page.waitForURL((url) => !url.pathname.startsWith('/login'))
      await page.goto('/admin/settings')
      const nav = page.getByRole('navigation', { name: 'Main' })
      // Health comes right before Database in the admin navigation.
      await visible(nav.getByRole('link', { name: 'Database' }))
      const links = await nav.getByRole('link').allTextContents()
      expect(links.indexOf('Health')).toBe(links.indexOf('Database') - 1)
      await nav.getByRole('link', { name: 'Health' }).click()
      await page.waitForURL(/\/admin\/health$/)

      // Before the worker's first aggregation the page says what to expect.
      await visible(page.getByText(/Metrics appear a minute after the worker starts/))
      await visible(page.getByText('Nothing aggregated yet.'))
      await snap('empty', { viewport: true })
      await aggregate()
      await page.getByRole('button', { name: 'Refresh' }).click()

      await visible(page.getByText(/^As of /))
      const figures = page.getByRole('region', { name: 'Figures' })
      await visible(figures.getByText('Requests/s'))
      await visible(figures.getByText('p95 latency'))
      expect(await figures.textContent()).not.toContain('— ms')

      for (const title of ['Request latency', 'Throughput', 'Error rates', 'Pool connections', 'Job durations', 'Ingest rates']) {
        const chart = page.getByRole('region', { name: title })
        await visible(chart.getByRole('img', { name: `${title} chart` }))
        await expect.poll(() => painted(chart), { message: title }).toBeGreaterThan(500)
      }

      const slowest = page.getByRole('region', { name: 'Slowest routes' })
      await expect.poll(async () => (await slowest.locator('tbody tr').first().textContent()) ?? '').toContain('/api/v1/admin/database')
      await snap('page')
      await page.evaluate(() => window.scrollTo(0, 0))
      await snap('top', { viewport: true })

      // Seven days read hourly buckets: the closed hours of the history are there.
      await page.getByRole('button', { name: '7 d' }).click()
      await expect.poll(() => painted(page.getByRole('region', { name: 'Throughput' }))).toBeGreaterThan(500)
      await snap('week', { viewport: true })
      expect(problems).toEqual([])
    })
  })
})
