import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { withCredentials } from '../src/platform/database-roles.ts'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.ts'

/** What both benchmarks share: a scratch database, Tessera as a child process, JSON calls, percentiles. */

const BIN = path.resolve(import.meta.dirname, '../bin/tessera.js')

export const log = (message: string) => process.stdout.write(`${message}\n`)
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** The value at percentile p of ascending-sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0
  }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
}

/**
 * Starts `tessera <command>` (serve: the API; start: API and worker) in production mode on the
 * database and waits for /api/health. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
 * (for example) profiles it.
 */
export async function startTessera(command: 'serve' | 'start', databaseUrl: string, home: string, secretKey = randomBytes(48).toString('base64url')): Promise<{ child: ChildProcess; url: string; env: NodeJS.ProcessEnv }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  // Also the environment of any other tessera command of the run (same database, home and key).
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    TESSERA_SECRET_KEY: secretKey,
    TESSERA_HOME: home,
    PUBLIC_URL: url,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  }
  const child = spawn(process.execPath, [...nodeArgs, BIN, command], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-5000)))
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Tessera exited: ${stderr}`)
    }
    // Any answer will do: without a worker (serve) health answers 503, and the API is up.
    if (await fetch(`${url}/api/health`).then(() => true, () => false)) {
      return { child, url, env }
    }
    await sleep(250)
  }
  throw new Error(`Tessera did not start: ${stderr}`)
}

export async function call(url: string, method: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; cookie: string }> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? '' }
}

/** Signs in an existing user (password of signUpWithOrganization): the session headers. */
export async function signIn(base: string, email: string): Promise<Record<string, string>> {
  const login = await call(`${base}/api/v1/auth/login`, 'POST', { email, password: BENCH_PASSWORD })
  if (login.status !== 200) throw new Error(`sign-in of ${email} failed: ${login.status}`)
  return { cookie: login.cookie, 'x-csrf-token': String(login.json.csrfToken) }
}

const BENCH_PASSWORD = 'correct horse battery staple'

/** A new user signed in, and an organization of theirs, through the API: the session headers, the organization id and the user's email. */
export async function signUpWithOrganization(base: string): Promise<{ session: Record<string, string>; orgId: string; email: string }> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`
  await call(`${base}/api/v1/auth/register`, 'POST', { email, password: BENCH_PASSWORD, name: 'Bench' })
  const session = await signIn(base, email)
  const org = await call(`${base}/api/v1/orgs`, 'POST', { name: 'Bench', slug: `bench-${randomBytes(3).toString('hex')}` }, session)
  return { session, orgId: String(org.json.id), email }
}

export interface BenchDatabase {
  /** A scratch directory for the run (the embedded cluster, Tessera's home). */
  tmp: string
  /** Where the scratch database lives: BENCH_DATABASE_URL's server, or an embedded cluster. */
  where: 'BENCH_DATABASE_URL' | 'embedded'
  name: string
  /** Superuser URL of the scratch database (Tessera creates it and its roles on first start). */
  url: string
  /** Drops the scratch database (external server) or stops the cluster, and removes tmp. */
  dispose(): Promise<void>
}

/**
 * The secret key Tessera runs a bench database with: random, except for a database kept for
 * later runs, which must decrypt what the first run encrypted (a bench database holds nothing
 * secret).
 */
export function benchSecretKey(name: string): string {
  return process.env.BENCH_KEEP === '1' || process.env.BENCH_REUSE_DATABASE
    ? createHash('sha256').update(`tessera-bench:${name}`).digest('base64url') + createHash('sha256').update(`tessera-bench-2:${name}`).digest('base64url')
    : randomBytes(48).toString('base64url')
}

/**
 * A scratch database for one run: on BENCH_DATABASE_URL (a superuser URL) or an embedded cluster.
 * `reuse` names a database an earlier run kept (BENCH_KEEP=1) on BENCH_DATABASE_URL: it is
 * used as it is and kept again.
 */
export async function benchDatabase(reuse?: string): Promise<BenchDatabase> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'tessera-bench-'))
  // As root, the embedded PostgreSQL runs as the postgres OS user, who must be able to enter it.
  chmodSync(tmp, 0o711)
  const external = process.env.BENCH_DATABASE_URL
  const embedded = external ? undefined : await startEmbeddedPostgres(path.join(tmp, 'pg'), { log: () => undefined }).catch((error: unknown) => {
    rmSync(tmp, { recursive: true, force: true })
    throw error
  })
  const superuserUrl = external ?? embedded!.adminUrl
  const su = new URL(superuserUrl)
  const onDatabase = (database: string) => withCredentials(superuserUrl, decodeURIComponent(su.username), decodeURIComponent(su.password), database)
  if (reuse && !external) throw new Error('reusing a kept database needs BENCH_DATABASE_URL')
  const name = reuse ?? `tessera_bench_${randomBytes(4).toString('hex')}`
  return {
    tmp,
    where: external ? 'BENCH_DATABASE_URL' : 'embedded',
    name,
    url: onDatabase(name),
    async dispose() {
      // BENCH_KEEP=1 leaves a scratch database on BENCH_DATABASE_URL behind, to look into afterwards.
      if (external && (process.env.BENCH_KEEP === '1' || reuse)) {
        log(`kept the database ${name}`)
      } else if (external) {
        const client = new pg.Client({ connectionString: onDatabase('postgres') })
        await client.connect()
        await client.query(`drop database if exists ${name} with (force)`).catch(() => undefined)
        await client.end()
      }
      await embedded?.stop()
      rmSync(tmp, { recursive: true, force: true })
    },
  }
}
