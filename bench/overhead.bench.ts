/**
 * `npm run bench:overhead`: what Tessera's own telemetry costs (issue 6, Performance). A
 * benchmark, not a test.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a superuser URL; a scratch database is created and dropped),
 * else an embedded cluster in a temporary directory. Tessera runs as a child process (`tessera
 * serve`). Figures, in one run:
 * - requests/s and client-side p99 latency of an authenticated API route (GET …/metrics, a
 *   session, a tenant transaction, a list of 20 metrics) under 50 keep-alive connections, with
 *   request logging on and off (analytics.enabled). Each side runs twice, alternating, each on a
 *   freshly started server (the setting is read at start-up and every flush); the better run of
 *   each side counts, so a burst of noise on the machine does not decide the comparison;
 * - MCP `query_metric` calls/s: 10 clients of the official SDK over Streamable HTTP, each calling
 *   the tool in a loop on a metric with a day of points (every call is logged in tool_usage_logs).
 * The last line printed is one JSON object with the figures.
 */
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import pg from 'pg'
import { benchDatabase, call, log, signUpWithOrganization, sleep, startTessera } from './harness.ts'
import { requestsPerSecond } from './load.ts'

const CONNECTIONS = 50
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const MCP_CLIENTS = 10
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

interface Side {
  rps: number
  p99Ms: number
}

async function setLogging(databaseUrl: string, enabled: boolean): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query("update app.system_settings set setting_value = $1 where setting_key = 'analytics.enabled'", [String(enabled)])
  } finally {
    await client.end()
  }
}

async function main(): Promise<void> {
  const db = await benchDatabase()
  log(`database: ${db.where} (${db.name})`)
  const home = path.join(db.tmp, 'home')
  let tessera = await startTessera('serve', db.url, home)
  const secretKey = tessera.env.TESSERA_SECRET_KEY!
  try {
    const { session, orgId } = await signUpWithOrganization(tessera.url)
    const api = (base: string) => `${base}/api/v1/orgs/${orgId}`
    let metricId = ''
    for (let i = 0; i < 20; i++) {
      const metric = await call(`${api(tessera.url)}/metrics`, 'POST', { name: `bench.metric_${i}`, displayName: `Metric ${i}`, aggregationType: 'sum' }, session)
      if (metric.status !== 201) throw new Error(`metric: ${JSON.stringify(metric.json)}`)
      metricId ||= String(metric.json.id)
    }
    const now = Date.now()
    const points = Array.from({ length: 1_440 }, (_, i) => ({ timestamp: new Date(now - i * 60_000).toISOString(), value: i % 97, dimensions: { host: `h${i % 5}` } }))
    const pushed = await call(`${api(tessera.url)}/metrics/${metricId}/points`, 'POST', points, session)
    if (pushed.status !== 200) throw new Error(`points: ${JSON.stringify(pushed.json)}`)
    const key = await call(`${api(tessera.url)}/api-keys`, 'POST', { name: 'bench', scopes: ['read'] }, session)
    if (key.status !== 201) throw new Error(`api key: ${JSON.stringify(key.json)}`)

    const sides: Record<'on' | 'off', Side[]> = { on: [], off: [] }
    for (const enabled of [true, false, true, false]) {
      tessera.child.kill('SIGTERM')
      await new Promise((resolve) => tessera.child.once('exit', resolve))
      await setLogging(db.url, enabled)
      tessera = await startTessera('serve', db.url, home, secretKey)
      // The session survives the restart (it lives in the database), the port does not.
      const measured = await requestsPerSecond(`${api(tessera.url)}/metrics`, session, CONNECTIONS, SECONDS * 1000)
      if (measured.errors > 0) throw new Error(`${measured.errors} failed requests with logging ${enabled ? 'on' : 'off'}`)
      log(`logging ${enabled ? 'on ' : 'off'}: ${round(measured.rps)} requests/s, p99 ${round(measured.p99Ms, 2)} ms`)
      sides[enabled ? 'on' : 'off'].push(measured)
    }
    const best = (runs: Side[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a))
    const on = best(sides.on)
    const off = best(sides.off)

    // The last server runs with logging off; MCP calls are recorded in tool_usage_logs either way.
    const mcpRate = await mcpCallsPerSecond(tessera.url, String(key.json.key), metricId)
    log(`MCP query_metric: ${round(mcpRate)} calls/s with ${MCP_CLIENTS} clients`)

    log(JSON.stringify({
      rps_logging_on: Math.round(on.rps),
      rps_logging_off: Math.round(off.rps),
      ratio: round(on.rps / off.rps, 3),
      p99_on_ms: round(on.p99Ms, 2),
      p99_off_ms: round(off.p99Ms, 2),
      mcp_calls_per_s: Math.round(mcpRate),
    }))
  } finally {
    tessera.child.kill('SIGTERM')
    await new Promise((resolve) => tessera.child.once('exit', resolve))
    await db.dispose()
  }
}

async function mcpCallsPerSecond(base: string, key: string, metricId: string): Promise<number> {
  const clients = await Promise.all(Array.from({ length: MCP_CLIENTS }, async (_, i) => {
    const client = new Client({ name: `bench-${i}`, version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
    return client
  }))
  const args = { metricId, from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString(), bucket: '1h' }
  let calls = 0
  let measuring = false
  let running = true
  const loops = clients.map(async (client) => {
    while (running) {
      const result = await client.callTool({ name: 'query_metric', arguments: args })
      if (result.isError) throw new Error(`query_metric failed: ${JSON.stringify(result.content).slice(0, 300)}`)
      if (measuring) calls += 1
    }
  })
  await sleep(1_000)
  measuring = true
  const started = performance.now()
  await sleep(SECONDS * 1000)
  measuring = false
  const elapsed = performance.now() - started
  running = false
  await Promise.all(loops)
  await Promise.all(clients.map((client) => client.close()))
  return calls / (elapsed / 1000)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
