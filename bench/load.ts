import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { freePort, percentile, sleep } from './harness.ts'

/**
 * Requests per second of one GET under `connections` concurrent keep-alive connections for
 * `durationMs` (after a short warm-up), counting only 200 answers; anything else is an error.
 * p99Ms: the 99th percentile of the counted answers' latency, as the client saw it.
 */
export async function requestsPerSecond(url: string, headers: Record<string, string>, connections = 50, durationMs = 10_000): Promise<{ rps: number; errors: number; p99Ms: number }> {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 })
  let ok = 0
  let errors = 0
  let measuring = false
  let running = true
  const latencies: number[] = []
  const worker = async () => {
    while (running) {
      try {
        const started = performance.now()
        const response = await request(url, { headers, dispatcher: agent })
        await response.body.dump()
        if (response.statusCode === 200) {
          if (measuring) {
            ok += 1
            latencies.push(performance.now() - started)
          }
        } else {
          errors += 1
        }
      } catch {
        errors += 1
      }
    }
  }
  const workers = Array.from({ length: connections }, worker)
  await sleep(1_000)
  measuring = true
  const started = performance.now()
  await sleep(durationMs)
  measuring = false
  const elapsed = performance.now() - started
  running = false
  await Promise.all(workers)
  await agent.close()
  latencies.sort((a, b) => a - b)
  return { rps: ok / (elapsed / 1000), errors, p99Ms: percentile(latencies, 99) }
}

/**
 * A bare Fastify server answering a constant at /, in its own process like Tessera: the
 * framework's own limit on this machine, the baseline for the dashboard endpoint's rate.
 * With `bodyBytes`, the constant is a JSON text of about that size, sent as it is (like the
 * dashboard cache's serialized answer): the limit for moving that many bytes per answer.
 */
export async function startBareFastify(bodyBytes?: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort()
  const route = bodyBytes
    ? `const body = JSON.stringify({ data: 'x'.repeat(${Math.max(0, Math.round(bodyBytes) - 11)}) })
app.get('/', async (request, reply) => reply.type('application/json; charset=utf-8').send(body))`
    : `app.get('/', async () => ({ ok: true }))`
  const source = `import Fastify from 'fastify'
const app = Fastify({ logger: false })
${route}
await app.listen({ port: ${port}, host: '127.0.0.1' })`
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: path.resolve(import.meta.dirname, '..'), stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } })
  const url = `http://127.0.0.1:${port}/`
  for (let i = 0; i < 100; i += 1) {
    if (await fetch(url).then((r) => r.ok, () => false)) return { url, child }
    await sleep(100)
  }
  child.kill()
  throw new Error('the bare Fastify server did not start')
}

/**
 * The gzip size (KB) of the JavaScript the built SPA's index.html loads before anything else:
 * its module scripts and modulepreload links (chunks loaded on demand are not counted).
 */
export function initialJavaScriptKbGzip(distDir: string): number {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8')
  const files = new Set<string>()
  for (const match of html.matchAll(/<script[^>]+src="([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) {
    files.add((match[1] ?? match[2])!.replace(/^\//, ''))
  }
  if (files.size === 0) throw new Error(`no scripts found in ${distDir}/index.html (${readdirSync(distDir).join(', ')})`)
  let bytes = 0
  for (const file of files) bytes += gzipSync(readFileSync(path.join(distDir, file)), { level: 9 }).length
  return bytes / 1024
}

const CLOCK_TICKS_PER_SECOND = 100

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 when unreadable. */
function processCpuSeconds(pid: number): number {
  try {
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** CPU seconds used so far by every PostgreSQL server process on this machine (all databases). */
function postgresCpuSeconds(): number {
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += processCpuSeconds(Number(entry))
    } catch {
      // The process ended meanwhile.
    }
  }
  return total
}

/** Busy CPU seconds of the whole machine so far (every core; /proc/stat, all but idle and iowait). */
function machineCpuSeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
  const values = ticks.map(Number)
  const busy = values.reduce((sum, v) => sum + v, 0) - (values[3] ?? 0) - (values[4] ?? 0)
  return busy / CLOCK_TICKS_PER_SECOND
}

export interface CpuShares {
  /** Wall-clock seconds measured. */
  seconds: number
  /** Cores' worth of CPU used on average over the period by each party. */
  loadGenerator: number
  server: number
  postgres: number
  /** Everything on the machine (other processes included). */
  machine: number
}

/**
 * Where the CPU went while `run` ran: the load generator (this process), the server under test
 * (its pid), all PostgreSQL processes and the whole machine, in cores (1.0 = one core busy).
 * The rate of a route on a small machine is bounded by whoever saturates the cores first.
 */
export async function withCpuShares<T>(serverPid: number, run: () => Promise<T>): Promise<{ result: T; cpu: CpuShares }> {
  const started = performance.now()
  const self = process.cpuUsage()
  const server = processCpuSeconds(serverPid)
  const postgres = postgresCpuSeconds()
  const machine = machineCpuSeconds()
  const result = await run()
  const seconds = (performance.now() - started) / 1000
  const selfUsed = process.cpuUsage(self)
  const share = (used: number) => Math.round((used / seconds) * 100) / 100
  return {
    result,
    cpu: {
      seconds: Math.round(seconds * 10) / 10,
      loadGenerator: share((selfUsed.user + selfUsed.system) / 1e6),
      server: share(processCpuSeconds(serverPid) - server),
      postgres: share(postgresCpuSeconds() - postgres),
      machine: share(machineCpuSeconds() - machine),
    },
  }
}
