/**
 * `npm run bench:dashboards`: dashboards on the demo data (issue 5, Performance). A benchmark,
 * not a test.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a superuser URL; a scratch database is created and dropped),
 * else an embedded cluster in a temporary directory. Tessera runs as a child process (`tessera
 * start`). A user signs up, `tessera demo --scale BENCH_SCALE` loads the demo organization
 * through Tessera's own write paths (at least 10 million metric points by default), and a
 * 12-widget dashboard is built over the demo's metrics and pipelines. Figures:
 * - cold_ms: median time to answer all 12 widgets when nothing is cached (every request asks
 *   for a different 30-day window, so neither the dashboard cache nor the series cache helps);
 * - warm_ms: median for the same view asked again;
 * - warm_rps next to bare_rps: requests per second of the warm data endpoint and of a bare
 *   Fastify route returning a constant (another process, same machine, same load generator),
 *   50 concurrent keep-alive connections each;
 * - initial_js_kb_gz: the built SPA's JavaScript loaded before anything else, gzip;
 * - interactive_ms: Chromium, from navigation to every widget of the dashboard drawn.
 * The last line printed is one JSON object with the figures.
 *
 * Loading 10 million points takes a while: BENCH_KEEP=1 keeps the database on
 * BENCH_DATABASE_URL, and BENCH_REUSE_DATABASE=<its name> measures it again without loading.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { chromium } from 'playwright-core'
import { benchDatabase, benchSecretKey, call, log, percentile, signIn, signUpWithOrganization, startTessera } from './harness.ts'
import { initialJavaScriptKbGzip, requestsPerSecond, startBareFastify, withCpuShares } from './load.ts'

const SCALE = Number(process.env.BENCH_SCALE ?? 40)
const DAYS = Number(process.env.BENCH_DAYS ?? 30)
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const CONNECTIONS = 50
const RPS_SECONDS = Number(process.env.BENCH_RPS_SECONDS ?? 10)
const ROOT = path.resolve(import.meta.dirname, '..')
const DAY_MS = 86_400_000

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50)

/** `tessera demo` as a child process against the bench database; its last lines say what it wrote. */
async function loadDemo(env: NodeJS.ProcessEnv, email: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/tessera.js'), 'demo', '--email', email, '--days', String(DAYS), '--scale', String(SCALE)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('exit', (code) => (code === 0 ? resolve(output.trim()) : reject(new Error(`tessera demo failed (${code}): ${output.slice(-2000)}`))))
  })
}

interface Source {
  metrics: Array<{ id: string; name: string }>
  pipelines: Array<{ id: string; name: string }>
}

/** Twelve widgets over the demo's sources: grouped lines and bars, areas, a pie, stat cards, a table. */
function twelveWidgets({ metrics, pipelines }: Source) {
  const metric = (i: number) => metrics[i % metrics.length]!.id
  const pipeline = (i: number) => pipelines[i % pipelines.length]!.id
  const at = (i: number, w: number, h: number) => ({ x: (i % (12 / w)) * w, y: Math.floor(i / (12 / w)) * h, w, h })
  return [
    { type: 'line_chart', title: 'Line 1', position: at(0, 6, 4), dataQuery: { source: 'metric', metricId: metric(0), bucket: 'auto' } },
    { type: 'line_chart', title: 'Line 2', position: at(1, 6, 4), dataQuery: { source: 'metric', metricId: metric(1), bucket: 'auto', groupBy: 'country' } },
    { type: 'area_chart', title: 'Area', position: at(2, 6, 4), dataQuery: { source: 'metric', metricId: metric(2), bucket: 'auto', groupBy: 'plan' } },
    { type: 'bar_chart', title: 'Bars', position: at(3, 6, 4), config: { stacked: true }, dataQuery: { source: 'metric', metricId: metric(3), bucket: '1d', groupBy: 'platform' } },
    { type: 'pie_chart', title: 'Pie', position: at(4, 6, 4), dataQuery: { source: 'metric', metricId: metric(4), bucket: '1mo', groupBy: 'country' } },
    { type: 'table', title: 'Table', position: at(5, 6, 4), dataQuery: { source: 'metric', metricId: metric(5), bucket: '1d' } },
    { type: 'stat_card', title: 'Stat 1', position: at(12, 3, 2), dataQuery: { source: 'metric', metricId: metric(0), bucket: '1d' } },
    { type: 'stat_card', title: 'Stat 2', position: at(13, 3, 2), dataQuery: { source: 'metric', metricId: metric(1), bucket: '1d' } },
    { type: 'stat_card', title: 'Stat 3', position: at(14, 3, 2), dataQuery: { source: 'metric', metricId: metric(2), bucket: '1d' } },
    { type: 'stat_card', title: 'Stat 4', position: at(15, 3, 2), dataQuery: { source: 'metric', metricId: metric(3), bucket: '1d' } },
    { type: 'line_chart', title: 'Records', position: at(8, 6, 4), dataQuery: { source: 'pipeline', pipelineId: pipeline(0), bucket: 'auto' } },
    { type: 'bar_chart', title: 'Records by pipeline field', position: at(9, 6, 4), dataQuery: { source: 'pipeline', pipelineId: pipeline(1), bucket: '1d' } },
  ]
}

async function main(): Promise<void> {
  const reuse = process.env.BENCH_REUSE_DATABASE
  const db = await benchDatabase(reuse)
  log(`database: ${db.where} (${db.name})`)
  const home = path.join(db.tmp, 'home')
  const { child, url, env } = await startTessera('start', db.url, home, benchSecretKey(db.name))
  const bare = await startBareFastify()
  try {
    let session: Record<string, string>
    let started = performance.now()
    if (reuse) {
      // The demo an earlier run loaded (BENCH_KEEP=1), signed in as the user it was loaded for.
      session = await signIn(url, await demoUserEmail(db.url))
      log(`reusing the demo of ${reuse}`)
    } else {
      const user = await signUpWithOrganization(url)
      session = user.session
      log(await loadDemo(env, user.email))
      log(`demo loaded in ${round((performance.now() - started) / 1000)} s`)
    }
    started = performance.now()
    await rollupsCaughtUp(db.url)
    log(`rollups caught up in ${round((performance.now() - started) / 1000)} s`)
    if (!reuse) {
      // What autovacuum does some time after a bulk load (and never where it is off, as on some
      // CI servers): statistics for the planner, visibility maps for index-only scans.
      started = performance.now()
      await superuserQuery(db.url, 'vacuum (analyze)')
      log(`vacuum (analyze) in ${round((performance.now() - started) / 1000)} s`)
    }

    const orgs = (await call(`${url}/api/v1/orgs`, 'GET', undefined, session)).json.organizations as Array<{ id: string; name: string }>
    const demo = orgs.find((o) => o.name.startsWith('Acme Demo'))
    if (!demo) throw new Error(`no demo organization among ${orgs.map((o) => o.name).join(', ')}`)
    const api = `${url}/api/v1/orgs/${demo.id}`
    const metrics = (await call(`${api}/metrics`, 'GET', undefined, session)).json.metrics as Source['metrics']
    const pipelines = (await call(`${api}/pipelines`, 'GET', undefined, session)).json.pipelines as Source['pipelines']
    const dashboard = await call(`${api}/dashboards`, 'POST', { name: 'Bench: twelve widgets' }, session)
    const dashboardId = String(dashboard.json.id)
    for (const widget of twelveWidgets({ metrics, pipelines })) {
      const created = await call(`${api}/dashboards/${dashboardId}/widgets`, 'POST', widget, session)
      if (created.status !== 201) throw new Error(`widget ${widget.title}: ${JSON.stringify(created.json)}`)
    }

    const data = async (query: string) => {
      const t0 = performance.now()
      const answer = await call(`${api}/dashboards/${dashboardId}/data?${query}`, 'GET', undefined, session)
      const ms = performance.now() - t0
      const widgets = answer.json.widgets as Array<{ status: string; error?: { message: string } }> | undefined
      const failed = widgets?.filter((w) => w.status === 'error') ?? []
      if (answer.status !== 200 || failed.length > 0) throw new Error(`dashboard data: ${answer.status} ${JSON.stringify(failed.length ? failed : answer.json).slice(0, 500)}`)
      return ms
    }
    // Every cold request is a different 30-day window ending on a different minute.
    const end = Math.floor(Date.now() / 60_000) * 60_000
    const window = (i: number) => `from=${encodeURIComponent(new Date(end - i * 60_000 - 30 * DAY_MS).toISOString())}&to=${encodeURIComponent(new Date(end - i * 60_000).toISOString())}`
    const cold: number[] = []
    for (let i = 1; i <= RUNS; i++) cold.push(await data(window(i)))
    // Which widgets the cold time goes to: each widget alone, through the editor's preview route, on windows of its own.
    const perWidget: Array<{ title: string; ms: number }> = []
    for (const [w, widget] of twelveWidgets({ metrics, pipelines }).entries()) {
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        const at = end - (1_000 + w * 10 + i) * 60_000
        const t0 = performance.now()
        const answer = await call(`${api}/widgets/preview`, 'POST', { dataQuery: widget.dataQuery, from: new Date(at - 30 * DAY_MS).toISOString(), to: new Date(at).toISOString() }, session)
        times.push(performance.now() - t0)
        if (answer.status !== 200) throw new Error(`preview of ${widget.title}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`)
      }
      perWidget.push({ title: widget.title, ms: median(times) })
    }
    log(`cold, one widget at a time (median of 3): ${perWidget.sort((a, b) => b.ms - a.ms).map((w) => `${w.title} ${round(w.ms)} ms`).join(', ')}`)
    const warmQuery = window(0)
    await data(warmQuery)
    const warm: number[] = []
    for (let i = 0; i < RUNS * 2; i++) warm.push(await data(warmQuery))
    log(`12 widgets: cold median ${round(median(cold))} ms (p95 ${round(percentile(cold.sort((a, b) => a - b), 95))}), warm median ${round(median(warm))} ms`)

    const warmUrl = `${api}/dashboards/${dashboardId}/data?${warmQuery}`
    const warmBytes = (await (await fetch(warmUrl, { headers: session })).arrayBuffer()).byteLength
    const { result: warmRate, cpu: warmCpu } = await withCpuShares(child.pid!, () => requestsPerSecond(warmUrl, session, CONNECTIONS, RPS_SECONDS * 1000))
    const { result: bareRate, cpu: bareCpu } = await withCpuShares(bare.child.pid!, () => requestsPerSecond(bare.url, {}, CONNECTIONS, RPS_SECONDS * 1000))
    // The same constant-route baseline with an answer as large as the dashboard's: what moving
    // that many bytes per answer costs the framework, the loopback and the load generator.
    const bareSameSize = await startBareFastify(warmBytes)
    const { result: sameSizeRate, cpu: sameSizeCpu } = await withCpuShares(bareSameSize.child.pid!, () => requestsPerSecond(bareSameSize.url, {}, CONNECTIONS, RPS_SECONDS * 1000)).finally(() => bareSameSize.child.kill())
    log(`warm data endpoint ${round(warmRate.rps)} req/s (${warmRate.errors} errors, ${round(warmBytes / 1024)} KB per answer), bare Fastify ${round(bareRate.rps)} req/s, bare Fastify with a ${round(warmBytes / 1024)} KB constant ${round(sameSizeRate.rps)} req/s`)
    // In cores (1 = one core busy): who saturates the machine during each measurement.
    log(`CPU during the warm run: ${JSON.stringify(warmCpu)}; bare: ${JSON.stringify(bareCpu)}; bare with the same size: ${JSON.stringify(sameSizeCpu)}`)

    const initialJs = initialJavaScriptKbGzip(path.join(ROOT, 'web/dist'))
    log(`initial JavaScript ${round(initialJs)} KB gzip`)

    started = performance.now()
    const interactive = await timeToInteractive(url, session, `/orgs/${demo.id}/dashboards/${dashboardId}?${warmQuery}`, 12)
    log(`dashboard interactive in Chromium after ${round(interactive)} ms (measured in ${round((performance.now() - started) / 1000)} s)`)

    log(JSON.stringify({
      cold_ms: round(median(cold)),
      warm_ms: round(median(warm)),
      warm_rps: Math.round(warmRate.rps),
      bare_rps: Math.round(bareRate.rps),
      rps_ratio: round(warmRate.rps / bareRate.rps, 3),
      bare_same_size_rps: Math.round(sameSizeRate.rps),
      same_size_ratio: round(warmRate.rps / sameSizeRate.rps, 3),
      initial_js_kb_gz: round(initialJs),
      interactive_ms: Math.round(interactive),
    }))
  } finally {
    bare.child.kill()
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await db.dispose()
  }
}

async function superuserQuery(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** The bench user of a kept database. */
async function demoUserEmail(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ email: string }>("select email from auth.users where email like 'bench-%@example.com' order by created_at limit 1")
    if (!rows[0]) throw new Error('the kept database has no bench user')
    return rows[0].email
  } finally {
    await client.end()
  }
}

/**
 * Waits until the worker's ts:rollup has absorbed what the demo wrote: no invalidated range
 * left below the watermark, and the watermark (the start of the newest complete hour it rolled
 * up; above it queries read raw points) within two hours of now. The figures are those of a
 * running instance, not of one still digesting a bulk load.
 */
async function rollupsCaughtUp(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const deadline = Date.now() + 30 * 60_000
    for (;;) {
      const { rows } = await client.query<{ pending: string; lag: number | null }>(
        `select (select count(*) from ts.rollup_invalidations i where i.range_start < w.watermark) as pending,
                -- A watermark of -infinity (nothing rolled up yet) cannot be subtracted from now().
                case when isfinite(w.watermark) then extract(epoch from now() - w.watermark)::float8 end as lag
           from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics'`)
      const { pending, lag } = rows[0] ?? { pending: '1', lag: null }
      // Pipeline record counts (ingest.pipeline_record_hours) cover the records ingested before
      // the minute rollup's watermark, which trails by 5 minutes: records newer than it are
      // counted raw, as on any instance in the minutes after a burst.
      const { rows: [records] } = await client.query<{ behind: boolean }>(
        `select coalesce((select max(d.ingested_at) from ingest.pipeline_data d) >= w.watermark, false) as behind
           from ops.rollup_watermarks w where w.name = 'ingest.pipeline_data_hourly'`)
      if (Number(pending) === 0 && lag !== null && lag < 7_200 && records?.behind === false) return
      if (Date.now() > deadline) throw new Error(`rollups still behind after 30 minutes: ${pending} invalidated ranges, watermark ${lag} s behind, pipeline records behind: ${records?.behind}`)
      await new Promise((resolve) => setTimeout(resolve, 2_000))
    }
  } finally {
    await client.end()
  }
}

/**
 * Median over three loads of the time from navigation start until every widget has drawn
 * (`data-state="ready"` on each of the dashboard's widgets), with a signed-in session.
 */
async function timeToInteractive(base: string, session: Record<string, string>, pagePath: string, widgets: number): Promise<number> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 2000 } })
    const [name, value] = session.cookie!.split('=')
    await context.addCookies([{ name: name!, value: value!, url: base }])
    const page = await context.newPage()
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      await page.goto(`${base}${pagePath}`)
      await page.waitForFunction((count) => document.querySelectorAll('[data-widget-state="ready"]').length >= count, widgets, { timeout: 30_000 })
      times.push(await page.evaluate(() => performance.now()))
    }
    return median(times)
  } finally {
    await browser.close()
  }
}

await main()
