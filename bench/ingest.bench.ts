/**
 * `npm run bench:ingest`: throughput of the ingest API against a raw COPY of the same rows into
 * a table of the same shape, on this machine (issue 3, Performance). A benchmark, not a test.
 *
 * PostgreSQL: BENCH_DATABASE_URL (a superuser URL; a scratch database is created on it and
 * dropped after), else an embedded cluster in a temporary directory. The server is the real
 * one (`tessera serve`, a child process, so its memory can be measured alone). 4 clients push
 * 10,000-record JSON batches; the API figure counts rows accepted and committed (checked in the
 * table afterwards), with auth, parsing, validation and mapping included. The COPY figure is
 * 4 connections copying the same rows, batch by batch, as the superuser into a scratch
 * partitioned table with the same columns and indexes and no row-level security.
 *
 * Knobs: BENCH_BATCHES (per client, default 10), BENCH_CLIENTS (default 4), BENCH_MAPPING=1
 * (push through a 6-field mapping instead of storing records as they come).
 * The last line printed is one JSON object with the figures.
 */
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { benchDatabase, call, log, percentile, signUpWithOrganization, startTessera } from './harness.ts'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4)
const BATCHES_PER_CLIENT = Number(process.env.BENCH_BATCHES ?? 10)
const WARMUP_PER_CLIENT = 2
const SINGLE_CLIENT_BATCHES = 10
const BATCH_SIZE = 10_000
const DISTINCT_BODIES = 8
const WITH_MAPPING = process.env.BENCH_MAPPING === '1'


/** Sensor-like records, about 200 bytes of JSON each. */
function makeBatch(batch: number): unknown[] {
  const records = new Array<unknown>(BATCH_SIZE)
  const start = Date.UTC(2025, 0, 1) + batch * BATCH_SIZE * 1000
  for (let i = 0; i < BATCH_SIZE; i++) {
    records[i] = {
      id: batch * BATCH_SIZE + i,
      ts: new Date(start + i * 1000).toISOString(),
      device: `device-${(i * 7919) % 500}`,
      metric: i % 3 === 0 ? 'temperature' : i % 3 === 1 ? 'humidity' : 'pressure',
      value: Math.round(Math.sin(i) * 10_000) / 100,
      ok: i % 17 !== 0,
      tags: { site: `site-${i % 12}`, rack: i % 40, firmware: '2.4.1' },
    }
  }
  return records
}

const MAPPING = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.ts', field: 'ts', type: 'timestamp', required: true },
    { path: '$.device', field: 'device', type: 'string' },
    { path: '$.metric', field: 'metric', type: 'string' },
    { path: '$.value', field: 'value', type: 'number' },
    { path: '$.tags.site', field: 'site', type: 'string' },
  ],
  transformations: [],
  timestampField: 'ts',
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0)
  return Math.round((kb / 1024) * 10) / 10
}

/** A user, an organization, a realtime pipeline and an ingest key, through the API. */
async function provision(base: string): Promise<{ pipelineId: string; key: string }> {
  const { session, orgId } = await signUpWithOrganization(base)
  const pipeline = await call(`${base}/api/v1/orgs/${orgId}/pipelines`, 'POST', { name: 'Bench', type: 'realtime', ...(WITH_MAPPING && { mapping: MAPPING }) }, session)
  const key = await call(`${base}/api/v1/orgs/${orgId}/api-keys`, 'POST', { name: 'bench', scopes: ['ingest'] }, session)
  if (pipeline.status !== 201 || key.status !== 201) {
    throw new Error(`provisioning failed: ${JSON.stringify([pipeline.json, key.json])}`)
  }
  return { pipelineId: String(pipeline.json.id), key: String(key.json.key) }
}

/** Each client pushes `batches` batches in turn; returns the rows accepted and each batch's latency. */
async function pushAll(base: string, pipelineId: string, key: string, bodies: string[], batches: number, clients: number): Promise<{ accepted: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = []
  let accepted = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; n < batches; n++) {
        const body = bodies[(client * batches + n) % bodies.length]!
        const t0 = performance.now()
        const response = await fetch(`${base}/api/v1/ingest/${pipelineId}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body })
        const answer = (await response.json()) as { accepted?: number }
        latencies.push(performance.now() - t0)
        if (response.status !== 200 || answer.accepted !== BATCH_SIZE) {
          throw new Error(`batch refused: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`)
        }
        accepted += answer.accepted
      }
    }),
  )
  return { accepted, latencies, seconds: (performance.now() - started) / 1000 }
}

/** COPY text format: JSON never holds raw tabs or newlines, but its backslashes must be doubled. */
function copyPayload(records: unknown[], pipelineId: string, orgId: string, jobId: string): string {
  const lines = new Array<string>(records.length)
  for (let i = 0; i < records.length; i++) {
    lines[i] = `${pipelineId}\t${orgId}\t${JSON.stringify(records[i]).replace(/\\/g, '\\\\')}\t${jobId}`
  }
  return `${lines.join('\n')}\n`
}

/** The same rows, copied by CLIENTS connections batch by batch into a same-shape table without RLS. */
async function copyBaseline(adminUrl: string, batches: unknown[][]): Promise<{ rowsPerS: number; indexes: number; batchMs: number[] }> {
  const setup = new pg.Client({ connectionString: adminUrl })
  await setup.connect()
  await setup.query('drop table if exists public.bench_copy')
  // The shape of ingest.pipeline_data, read from the catalog: its columns, partitioning by day
  // (today's partition) and every index, without row-level security.
  await setup.query(`create table public.bench_copy (like ingest.pipeline_data including defaults including identity including constraints,
      primary key (pipeline_id, ingested_at, id)) partition by range (ingested_at)`)
  await setup.query(`create table public.bench_copy_today partition of public.bench_copy
      for values from (date_trunc('day', now() - interval '1 day')) to (date_trunc('day', now() + interval '2 days'))`)
  const { rows: indexes } = await setup.query<{ indexdef: string }>(
    "select indexdef from pg_indexes where schemaname = 'ingest' and tablename = 'pipeline_data' and indexname not like '%_pkey'")
  for (const { indexdef } of indexes) {
    await setup.query(indexdef.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?ingest\.pipeline_data /, 'CREATE $1INDEX ON public.bench_copy '))
  }
  await setup.query('checkpoint')
  const pipelineId = randomUUID()
  const orgId = randomUUID()
  const payloads = batches.map((records) => copyPayload(records, pipelineId, orgId, randomUUID()))
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    return client
  }))
  const batchMs: number[] = []
  const started = performance.now()
  await Promise.all(
    clients.map(async (client, c) => {
      for (let n = c; n < payloads.length; n += CLIENTS) {
        const batchStarted = performance.now()
        await client.query('begin')
        const stream = client.query(copyFrom('copy public.bench_copy (pipeline_id, organization_id, data, ingestion_job_id) from stdin'))
        await pipeline(Readable.from([payloads[n]!]), stream)
        await client.query('commit')
        batchMs.push(performance.now() - batchStarted)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const { rows } = await setup.query<{ n: string }>('select count(*) as n from public.bench_copy')
  await Promise.all(clients.map((client) => client.end()))
  await setup.query('drop table public.bench_copy')
  await setup.end()
  return { rowsPerS: Number(rows[0]?.n ?? 0) / seconds, indexes: indexes.length, batchMs: batchMs.sort((a, b) => a - b) }
}

/** Vacuums pipeline_data (merging GIN pending lists) and checkpoints, so a phase starts quiet. */
async function quiesce(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  await client.query('vacuum ingest.pipeline_data')
  await client.query('checkpoint')
  await client.end()
}

async function main(): Promise<void> {
  const database = await benchDatabase()
  const { tmp, url: databaseUrl } = database
  let server: ChildProcess | undefined
  try {
    log(`PostgreSQL: ${database.where}; database ${database.name}; ${CLIENTS} clients × ${BATCHES_PER_CLIENT} batches × ${BATCH_SIZE} records${WITH_MAPPING ? ' (with a 6-field mapping)' : ''}`)
    const started = await startTessera('serve', databaseUrl, path.join(tmp, 'home'))
    server = started.child
    const { pipelineId, key } = await provision(started.url)

    const batches = Array.from({ length: DISTINCT_BODIES }, (_, n) => makeBatch(n))
    const bodies = batches.map((records) => JSON.stringify(records))
    log(`batch body: ${(Buffer.byteLength(bodies[0]!) / 1024 / 1024).toFixed(2)} MB of JSON`)
    await pushAll(started.url, pipelineId, key, bodies, WARMUP_PER_CLIENT, CLIENTS)
    await quiesce(databaseUrl)

    const run = await pushAll(started.url, pipelineId, key, bodies, BATCHES_PER_CLIENT, CLIENTS)
    // Unloaded latency, for reference: one client, one batch at a time.
    await quiesce(databaseUrl)
    const single = await pushAll(started.url, pipelineId, key, bodies, SINGLE_CLIENT_BATCHES, 1)
    const rssMb = peakRssMb(server.pid!)
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    const { rows } = await admin.query<{ n: string }>('select count(*) as n from ingest.pipeline_data where pipeline_id = $1', [pipelineId])
    await admin.end()
    const committed = Number(rows[0]?.n ?? 0)
    const expected = run.accepted + single.accepted + CLIENTS * WARMUP_PER_CLIENT * BATCH_SIZE
    if (committed !== expected) {
      throw new Error(`committed ${committed} rows, acknowledged ${expected}`)
    }
    const stopped = new Promise((resolve) => server?.once('exit', resolve))
    server.kill('SIGTERM')
    await stopped
    server = undefined
    // Let the COPY phase start on a quiet server: no autovacuum merging the API's GIN pending list.
    await quiesce(databaseUrl)

    const copy = await copyBaseline(databaseUrl, Array.from({ length: CLIENTS * BATCHES_PER_CLIENT }, (_, n) => batches[n % batches.length]!))
    const copyRowsPerS = copy.rowsPerS
    const apiRowsPerS = run.accepted / run.seconds
    const sorted = [...run.latencies].sort((a, b) => a - b)
    const figures = {
      api_rows_per_s: Math.round(apiRowsPerS),
      copy_rows_per_s: Math.round(copyRowsPerS),
      ratio: Math.round((apiRowsPerS / copyRowsPerS) * 1000) / 1000,
      p50_batch_ms: Math.round(percentile(sorted, 50) * 10) / 10,
      p99_batch_ms: Math.round(percentile(sorted, 99) * 10) / 10,
      peak_rss_mb: rssMb,
    }
    log(`API:   ${run.accepted} rows accepted and committed in ${run.seconds.toFixed(2)} s = ${figures.api_rows_per_s} rows/s`)
    log(`COPY:  ${figures.copy_rows_per_s} rows/s (same rows, same columns and ${copy.indexes} indexes + primary key, ${CLIENTS} connections); ` +
      `its batch latency p50 ${percentile(copy.batchMs, 50).toFixed(1)} ms, p99 ${percentile(copy.batchMs, 99).toFixed(1)} ms`)
    log(`ratio: ${figures.ratio}; batch latency p50 ${figures.p50_batch_ms} ms, p99 ${figures.p99_batch_ms} ms; server peak RSS ${figures.peak_rss_mb} MB`)
    const singleSorted = [...single.latencies].sort((a, b) => a - b)
    log(`one client alone (${SINGLE_CLIENT_BATCHES} batches): ${Math.round(single.accepted / single.seconds)} rows/s, batch latency p50 ${percentile(singleSorted, 50).toFixed(1)} ms, max ${percentile(singleSorted, 100).toFixed(1)} ms`)
    log(JSON.stringify(figures))
  } finally {
    server?.kill('SIGKILL')
    await database.dispose()
  }
}

await main()
