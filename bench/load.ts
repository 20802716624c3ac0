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
 */
export async function startBareFastify(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort()
  const source = `import Fastify from 'fastify'
const app = Fastify({ logger: false })
app.get('/', async () => ({ ok: true }))
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
