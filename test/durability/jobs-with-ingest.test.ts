import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { JobHelpers, TaskList } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTasks } from '../../src/modules/jobs/jobs.tasks.ts'
import { asOwner } from '../../src/modules/storage/storage.fixtures.ts'
import { ensurePointPartitions } from '../../src/modules/timeseries/series.fixtures.ts'
import { createTestApp, registerUser, type TestContext } from '../app.ts'
import { createPipeline, push } from '../ingest.ts'
import { testRuntime } from '../runtime.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../tenancy.ts'

/**
 * Issue 4's acceptance test: partition maintenance, compression, retention and rollups run
 * concurrently with ingest without errors or lost points. Clients push through the real HTTP
 * API (metric points for today, recent days, days being compressed and detached, and days
 * past retention; pipeline records) while the worker's own task handlers, lock and record
 * included, are forced to run again and again. Afterwards every acknowledged point that is not
 * past retention is stored exactly once (raw, late or in a segment), the series API agrees
 * with an aggregate of what was acknowledged, and no job failed.
 */

const DAY = 86_400_000
const CLIENTS = 4
const MIN_BATCHES = 25
const POINTS_PER_BATCH = 60
/** Days back the points are for: recent, compressible (metrics compress after 3 days), past the 30-day detach window, past the 40-day retention. */
const DAYS_BACK = [0, 1, 4, 12, 29, 31, 33, 36, 39, 42, 44]
const RETENTION_DAYS = 40
/** The oldest day whose points must all be there: retention expires days before now - 40 days (one day of slack for a midnight during the run). */
const KEPT_DAYS = 39
const MIN_RUNS = 3
// A guard against a loop that never ends, not a speed target: a busy CI machine runs the jobs slowly.
const DEADLINE_MS = 360_000

let ctx: TestContext
let org: OrgFixture
let key: string
let archiveDir: string
let tasks: TaskList

beforeAll(async () => {
  archiveDir = mkdtempSync(path.join(tmpdir(), 'tessera-archive-'))
  ctx = await createTestApp({ env: { TESSERA_ARCHIVE_DIR: archiveDir }, poolSize: 20 })
  // As if the instance had run for 45 days: partitions back to then, with the indexes the
  // worker would have built on them day after day.
  await ensurePointPartitions(ctx.testDb.ownerUrl, 45)
  await asOwner(ctx.testDb, (owner) => owner.query('select ops.build_deferred_indexes()'))
  await ctx.admin.query('update ops.data_retention_policies set retention_days = $1 where table_name = $2', [RETENTION_DAYS, 'time_series_data'])
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  key = (await createApiKey(ctx.app, org, ['ingest'])).key
  tasks = buildTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))
})
afterAll(async () => {
  await ctx?.close()
  rmSync(archiveDir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs each kind in a loop of its own (one kind never overlaps itself here, so no run is
 * skipped) until `done()` and at least MIN_RUNS runs each. `before` forces real work first.
 */
function forceJobs(kinds: string[], done: () => boolean, before: Record<string, () => Promise<void>> = {}) {
  const runs: Record<string, number> = Object.fromEntries(kinds.map((kind) => [kind, 0]))
  const errors: string[] = []
  const loops = kinds.map(async (kind) => {
    while (!done() || runs[kind]! < MIN_RUNS) {
      try {
        await before[kind]?.()
        await tasks[kind]!({}, {} as JobHelpers)
      } catch (error) {
        errors.push(`${kind}: ${(error as Error).message}`)
      }
      runs[kind]!++
      await sleep(20)
    }
  })
  return { runs, errors, ranEnough: () => kinds.every((kind) => runs[kind]! >= MIN_RUNS), finished: Promise.all(loops) }
}

/** Drops the newest (empty, future) partition of a table, so that partitions:maintain has DDL to do under ingest. */
async function dropNewestPartition(parent: string): Promise<void> {
  const { rows } = await ctx.admin.query<{ partition_table: string }>(
    "select partition_table from ops.partitions where parent_table = $1 and state = 'attached' and range_start > now() + interval '3 days' order by range_start desc limit 1", [parent])
  if (rows[0]) {
    await ctx.admin.query(`drop table ${rows[0].partition_table}`)
    await ctx.admin.query('delete from ops.partitions where partition_table = $1', [rows[0].partition_table])
  }
}

async function failedRuns(): Promise<unknown[]> {
  return (await ctx.admin.query("select job, error from ops.maintenance_runs where outcome = 'failed'")).rows
}

interface Acked {
  metric: number
  t: number
  value: number
  daysBack: number
}

describe('maintenance jobs running concurrently with ingest', () => {
  it('lose no metric point: partitions:maintain, ts:rollup, ts:compress and ops:retention', async () => {
    const metrics: Array<{ id: string; name: string }> = []
    for (let m = 0; m < 3; m++) {
      const name = `acceptance.m${m}`
      const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name, displayName: name, aggregationType: 'sum', compressAfterDays: 3 } })
      expect(response.statusCode).toBe(201)
      metrics.push({ id: response.json().id, name })
    }
    const start = Date.now()
    const midnight = Math.floor(start / DAY) * DAY
    const acked: Acked[] = []
    const refused: string[] = []
    let late = 0
    let jobs: ReturnType<typeof forceJobs> | undefined
    let clientsDone = false
    jobs = forceJobs(['partitions:maintain', 'ts:rollup', 'ts:compress', 'ops:retention'], () => clientsDone, {
      'partitions:maintain': async () => {
        await dropNewestPartition('ts.time_series_data')
      },
    })

    const client = async (c: number) => {
      for (let batch = 0; batch < MIN_BATCHES || !jobs!.ranEnough(); batch++) {
        if (Date.now() - start > DEADLINE_MS) {
          throw new Error('the jobs did not run often enough before the deadline')
        }
        const points = Array.from({ length: POINTS_PER_BATCH }, (_, i): Acked => {
          const daysBack = DAYS_BACK[(batch + i) % DAYS_BACK.length]!
          // Spread over the day; today's points stay in the past.
          const t = daysBack === 0 ? Date.now() - 1_000 - ((i * 7919) % 3_600_000) : midnight - daysBack * DAY + ((c * 104_729 + batch * 7_919 + i * 1_009) % DAY)
          return { metric: i % metrics.length, t, value: c * 1_000_000 + batch * 1_000 + i, daysBack }
        })
        // Half the batches through the many-metrics endpoint, half per metric.
        const bodies = batch % 2 === 0
          ? [{ url: `/api/v1/orgs/${org.id}/metrics/points`, points, records: points.map((p) => ({ metric: metrics[p.metric]!.name, timestamp: new Date(p.t).toISOString(), value: p.value, dimensions: { client: `c${c}` } })) }]
          : metrics.map((metric, m) => {
              const mine = points.filter((p) => p.metric === m)
              return { url: `/api/v1/orgs/${org.id}/metrics/${metric.id}/points`, points: mine, records: mine.map((p) => ({ timestamp: new Date(p.t).toISOString(), value: p.value, dimensions: { client: `c${c}` } })) }
            })
        for (const body of bodies) {
          const response = await ctx.app.inject({ method: 'POST', url: body.url, headers: { ...bearer(key), 'content-type': 'application/json' }, payload: JSON.stringify(body.records) })
          if (response.statusCode !== 200 || response.json().accepted !== body.records.length) {
            refused.push(`${response.statusCode} ${response.body.slice(0, 300)}`)
            continue
          }
          late += response.json().late
          acked.push(...body.points)
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))
    } finally {
      clientsDone = true
      await jobs.finished
    }
    expect(refused).toEqual([])
    expect(jobs.errors).toEqual([])
    expect(await failedRuns()).toEqual([])
    expect(Object.values(jobs.runs).every((n) => n >= MIN_RUNS)).toBe(true)
    // The jobs had real work: old days were detached (compressed or expired), late points arrived.
    expect(late).toBeGreaterThan(0)
    const { rows: states } = await ctx.admin.query<{ state: string }>("select distinct state from ops.partitions where parent_table = 'ts.time_series_data' order by 1")
    expect(states.map((s) => s.state)).toEqual(expect.arrayContaining(['attached', 'compressed']))

    // Every acknowledged point is stored exactly once; past retention, at most once; nothing else.
    const { rows: stored } = await ctx.admin.query<{ value: string; n: number }>(
      `select value::bigint::text as value, count(*)::int as n from (
         select value from ts.time_series_data where organization_id = $1
         union all select value from ts.time_series_late where organization_id = $1
         union all select p.value from ts.time_series_segments s, ts.segment_points(s.first_ts, s.ts_deltas, s."values") p where s.organization_id = $1) v
        group by 1`, [org.id])
    const copies = new Map(stored.map((row) => [Number(row.value), row.n]))
    const kept = acked.filter((p) => p.daysBack <= KEPT_DAYS)
    expect(kept.length).toBeGreaterThan(CLIENTS * MIN_BATCHES * POINTS_PER_BATCH * 0.7)
    expect(kept.filter((p) => copies.get(p.value) !== 1).map((p) => ({ ...p, copies: copies.get(p.value) ?? 0 }))).toEqual([])
    expect(acked.filter((p) => (copies.get(p.value) ?? 0) > 1)).toEqual([])
    const ackedValues = new Set(acked.map((p) => p.value))
    expect(stored.filter((row) => !ackedValues.has(Number(row.value)))).toEqual([])

    // The series API (rollups, raw, late and segments) equals the aggregate of the acknowledged points.
    const from = midnight - KEPT_DAYS * DAY
    const to = Date.now() + 60_000
    const expected = (m: number) => {
      const days = new Map<number, { value: number; count: number; min: number; max: number }>()
      for (const p of kept) {
        if (p.metric !== m || p.t < from) {
          continue
        }
        const day = Math.floor(p.t / DAY) * DAY
        const bucket = days.get(day) ?? { value: 0, count: 0, min: Infinity, max: -Infinity }
        days.set(day, { value: bucket.value + p.value, count: bucket.count + 1, min: Math.min(bucket.min, p.value), max: Math.max(bucket.max, p.value) })
      }
      return [...days].sort(([a], [b]) => a - b).map(([day, b]) => ({ t: new Date(day).toISOString(), ...b }))
    }
    const series = async (m: number) => {
      const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: '1d', agg: 'sum', tz: 'UTC' })
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/metrics/${metrics[m]!.id}/series?${query}`, headers: org.owner.headers })
      expect(response.statusCode).toBe(200)
      return (response.json().points as Array<{ t: string; value: number; count: number; min: number; max: number }>).map(({ t, value, count, min, max }) => ({ t, value, count, min, max }))
    }
    for (let m = 0; m < metrics.length; m++) {
      expect(await series(m)).toEqual(expected(m))
    }
    // And still once the rollup has caught up with the last batches.
    await tasks['ts:rollup']!({}, {} as JobHelpers)
    for (let m = 0; m < metrics.length; m++) {
      expect(await series(m)).toEqual(expected(m))
    }
  }, 480_000)

  it('lose no pipeline record: partitions:maintain and pipeline-data:rollup', async () => {
    const pipeline = await createPipeline(ctx.app, org)
    const start = Date.now()
    const acked: string[] = []
    const refused: string[] = []
    let clientsDone = false
    const jobs = forceJobs(['partitions:maintain', 'pipeline-data:rollup'], () => clientsDone, {
      'partitions:maintain': async () => {
        await dropNewestPartition('ingest.pipeline_data')
      },
    })
    const client = async (c: number) => {
      for (let batch = 0; batch < MIN_BATCHES || !jobs.ranEnough(); batch++) {
        if (Date.now() - start > DEADLINE_MS) {
          throw new Error('the jobs did not run often enough before the deadline')
        }
        const records = Array.from({ length: 50 }, (_, i) => ({ id: `${c}-${batch}-${i}`, reading: i, note: 'x'.repeat(i) }))
        const response = await push(ctx.app, pipeline.id, { key, records })
        if (response.statusCode !== 200 || response.json().accepted !== records.length) {
          refused.push(`${response.statusCode} ${response.body.slice(0, 300)}`)
          continue
        }
        acked.push(...records.map((r) => r.id))
      }
    }
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)))
    } finally {
      clientsDone = true
      await jobs.finished
    }

    expect(refused).toEqual([])
    expect(jobs.errors).toEqual([])
    expect(await failedRuns()).toEqual([])
    const { rows } = await ctx.admin.query<{ id: string; n: number }>(
      "select data->>'id' as id, count(*)::int as n from ingest.pipeline_data where pipeline_id = $1 group by 1", [pipeline.id])
    expect(rows.filter((row) => row.n !== 1)).toEqual([])
    expect(rows.map((row) => row.id).sort()).toEqual([...acked].sort())

    // The hourly rollup, refreshed once more now that every batch has committed, and the hourly
    // API (rollup plus the rows since) equal the raw aggregate. (Before that refresh the API
    // may miss a batch that committed just after the last refresh began: see the report.)
    await tasks['pipeline-data:rollup']!({}, {} as JobHelpers)
    const { rows: raw } = await ctx.admin.query<{ hour: string; recordCount: number; totalBytes: number }>(
      `select to_char(date_trunc('hour', ingested_at, 'UTC') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') as hour,
              count(*)::int as "recordCount", sum(pg_column_size(data))::int as "totalBytes"
         from ingest.pipeline_data where pipeline_id = $1 group by 1 order by 1`, [pipeline.id])
    const hourly = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/data/hourly`, headers: org.owner.headers })
    expect(hourly.statusCode).toBe(200)
    expect(hourly.json().points).toEqual(raw)
    const { rows: rolled } = await ctx.admin.query<{ hour: string; recordCount: number; totalBytes: number }>(
      `select to_char(bucket at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') as hour, record_count::int as "recordCount", total_bytes::int as "totalBytes"
         from ingest.pipeline_data_hourly where pipeline_id = $1 order by bucket`, [pipeline.id])
    expect(rolled).toEqual(raw)
  }, 480_000)
})
