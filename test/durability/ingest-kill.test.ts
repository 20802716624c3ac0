import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, uniqueEmail } from '../app.ts'
import { createTestDatabase, type TestDatabase } from '../database.ts'
import { TEST_SECRET_KEY } from '../secret.ts'

/**
 * Durability of the ingest API: the real server (`tessera serve`, a child process) is killed
 * with SIGKILL again and again while clients push numbered batches with Idempotency-Keys and
 * retry every batch that was not acknowledged. Afterwards every acknowledged record is stored
 * exactly once, and nothing else is.
 */

const BIN = path.resolve('bin/tessera.js')
const BATCHES = 40
const RECORDS_PER_BATCH = 1000
const CLIENTS = 3
const KILLS = 4

let testDb: TestDatabase
let admin: pg.Client
let home: string
let port: number
let server: ChildProcess | undefined
let output = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const base = () => `http://127.0.0.1:${port}`

async function startServer(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: testDb.adminUrl,
    TESSERA_SECRET_KEY: TEST_SECRET_KEY.toString('utf8'),
    TESSERA_HOME: home,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
  }
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  server = child
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited with ${child.exitCode}:\n${output}`)
    }
    // `serve` runs no worker, so health answers 503 (degraded) once up: only the database matters here.
    const ready = await fetch(`${base()}/api/health`).then(async (response) => ((await response.json()) as { database?: { reachable?: boolean } }).database?.reachable === true, () => false)
    if (ready) {
      return
    }
    await sleep(100)
  }
  throw new Error(`the server did not become healthy:\n${output}`)
}

async function killServer(): Promise<void> {
  const child = server
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

/** A JSON request to the running server, with the session cookie when given. */
async function api(method: string, url: string, body: unknown, session?: { cookie: string; csrf: string }): Promise<{ status: number; json: Record<string, unknown>; cookie?: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (session) {
    headers.cookie = session.cookie
    headers['x-csrf-token'] = session.csrf
  }
  const response = await fetch(`${base()}${url}`, { method, headers, body: JSON.stringify(body) })
  const cookie = response.headers.get('set-cookie')?.split(';')[0]
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, ...(cookie && { cookie }) }
}

beforeAll(async () => {
  testDb = await createTestDatabase()
  admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
  home = mkdtempSync(path.join(tmpdir(), 'tessera-durability-'))
  port = await freePort()
  await startServer()
})

afterAll(async () => {
  await killServer()
  await admin?.end()
  if (home) {
    rmSync(home, { recursive: true, force: true })
  }
})

describe('ingest under SIGKILL', () => {
  it('stores every acknowledged record exactly once while the server is killed and restarted', async () => {
    // Everything is created through the API of the server under test.
    const email = uniqueEmail('durable')
    expect((await api('POST', '/api/v1/auth/register', { email, password: PASSWORD, name: 'Durable' })).status).toBe(202)
    const login = await api('POST', '/api/v1/auth/login', { email, password: PASSWORD })
    const session = { cookie: login.cookie ?? '', csrf: String(login.json.csrfToken) }
    const org = await api('POST', '/api/v1/orgs', { name: 'Durable', slug: `durable-${port}` }, session)
    expect(org.status).toBe(201)
    const pipeline = await api('POST', `/api/v1/orgs/${String(org.json.id)}/pipelines`, { name: 'Durable', type: 'realtime' }, session)
    expect(pipeline.status).toBe(201)
    const apiKey = await api('POST', `/api/v1/orgs/${String(org.json.id)}/api-keys`, { name: 'pusher', scopes: ['ingest'] }, session)
    const key = String(apiKey.json.key)
    const pipelineId = String(pipeline.json.id)

    const acknowledged = new Set<number>()
    const outcomes = { retries: 0, inFlight: 0, replays: 0 }
    let next = 0
    let killerDone = false

    const pushBatch = async (batch: number): Promise<void> => {
      const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ rid: `${batch}-${i}`, batch, payload: 'x'.repeat(40) }))
      const body = JSON.stringify(records)
      for (;;) {
        try {
          const response = await fetch(`${base()}/api/v1/ingest/${pipelineId}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `batch-${batch}` },
            body,
          })
          const answer = (await response.json()) as { accepted?: number; error?: { code: string } }
          if (response.status === 200) {
            expect(answer.accepted).toBe(RECORDS_PER_BATCH)
            if (response.headers.get('idempotent-replayed') === 'true') {
              outcomes.replays++
            }
            acknowledged.add(batch)
            return
          }
          if (response.status === 409 && answer.error?.code === 'idempotency_key_in_flight') {
            outcomes.inFlight++
          } else if (response.status < 500) {
            throw new Error(`batch ${batch}: unexpected ${response.status} ${JSON.stringify(answer)}`)
          }
        } catch (error) {
          if ((error as Error).message.startsWith('batch ')) {
            throw error
          }
          // Connection refused or reset: the server is down; the batch is unacknowledged.
        }
        outcomes.retries++
        await sleep(50 + Math.random() * 100)
      }
    }

    const client = async (): Promise<void> => {
      // Keep pushing until the killer has had all its kills, and at least BATCHES batches.
      while (next < BATCHES || !killerDone) {
        await pushBatch(next++)
      }
    }

    const killer = async (): Promise<number> => {
      let kills = 0
      try {
        while (kills < KILLS) {
          await sleep(200 + Math.random() * 600)
          await killServer()
          kills++
          await startServer()
        }
      } finally {
        killerDone = true
      }
      return kills
    }

    const [kills] = await Promise.all([killer(), ...Array.from({ length: CLIENTS }, client)])
    const pushed = next
    process.stdout.write(`durability: ${JSON.stringify({ kills, batches: pushed, ...outcomes })}\n`)

    expect(kills).toBe(KILLS)
    expect(outcomes.retries, JSON.stringify(outcomes)).toBeGreaterThan(0)
    expect(acknowledged.size).toBe(pushed)
    const { rows } = await admin.query<{ total: number; distinct_ids: number; duplicated: number; batches: number }>(
      `select count(*)::int as total, count(distinct data->>'rid')::int as distinct_ids,
              (select count(*)::int from (select 1 from ingest.pipeline_data where pipeline_id = $1 group by data->>'rid' having count(*) > 1) d) as duplicated,
              count(distinct (data->>'batch')::int)::int as batches
         from ingest.pipeline_data where pipeline_id = $1`,
      [pipelineId])
    expect(rows[0]).toEqual({ total: pushed * RECORDS_PER_BATCH, distinct_ids: pushed * RECORDS_PER_BATCH, duplicated: 0, batches: pushed })
    const jobs = await admin.query<{ n: number }>('select count(*)::int as n from ingest.data_ingestion_jobs where pipeline_id = $1', [pipelineId])
    expect(jobs.rows[0]!.n).toBe(pushed)
  }, 300_000)
})
