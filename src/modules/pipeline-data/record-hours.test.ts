import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { ensurePastPartitions, runTask } from '../../../test/jobs.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { applyRetention } from '../storage/storage.jobs.ts'
import { countStatement, pipelineSeriesStatement, wholeHours } from '../timeseries/pipeline-series.ts'
import type { Bucket } from '../timeseries/series.buckets.ts'
import { prng } from '../timeseries/series.fixtures.ts'
import type { SeriesRow } from '../timeseries/series.repository.ts'
import { normalize } from '../timeseries/series.service.ts'
import { DAY_MS, dayStart, insertRows, randomRows } from './compression.fixtures.ts'
import { compressPipelineData } from './compression.ts'

/**
 * ingest.pipeline_record_hours (0350) through a pipeline's life: after each step (rollup, a
 * tail of newer rows, per-pipeline retention, compression, retention inside segments, the
 * instance retention archiving partitions and segments) the table holds exactly the stored
 * records below the watermark by record hour, and count series read through it equal the raw
 * answer over random ranges, buckets and zones.
 */

let ctx: TestContext
let org: OrgFixture
let archiveDir: string

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePastPartitions(ctx, 16)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  archiveDir = await mkdtemp(path.join(tmpdir(), 'tessera-record-hours-'))
})
afterAll(async () => {
  await ctx?.close()
  await rm(archiveDir, { recursive: true, force: true })
})

/** (pipeline, hour, count) rows where the rollup and the stored rows below the watermark disagree, and how many hours the stored rows have. */
async function invariant(pipelineIds: string[]): Promise<{ mismatches: unknown[]; hours: number }> {
  const { rows } = await ctx.admin.query(
    `with wm as (select watermark from ops.rollup_watermarks where name = 'ingest.pipeline_data_hourly'),
     stored as (
       select d.pipeline_id, d.record_time from ingest.pipeline_data d where d.pipeline_id = any($1) and d.ingested_at < (select watermark from wm)
       union all
       select s.pipeline_id, r.record_time from ingest.pipeline_data_segments s
        cross join lateral ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas, s.record_offsets, s.job_ids, s.data) r
        where s.pipeline_id = any($1) and r.ingested_at < (select watermark from wm)),
     expected as (select pipeline_id, date_trunc('hour', record_time, 'UTC') as hour, count(*) as n from stored group by 1, 2),
     actual as (select pipeline_id, hour, record_count as n from ingest.pipeline_record_hours where pipeline_id = any($1) and record_count > 0)
     select 'missing' as side, * from (table expected except table actual) m
     union all
     select 'extra', * from (table actual except table expected) e
     union all
     select 'hours', null, null, count(*) from expected`,
    [pipelineIds],
  )
  const hours = Number(rows.find((row) => row.side === 'hours')?.n ?? 0)
  return { mismatches: rows.filter((row) => row.side !== 'hours'), hours }
}

const BUCKETS: Bucket[] = ['1h', '1d', '1w', '1mo']
/** Whole-hour offsets (with and without DST) and one of :30 (calendar buckets split its UTC hours). */
const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata']
const shape = (rows: SeriesRow[]) => rows.map((row) => [row.t.toISOString(), row.value, Number(row.count), row.min, row.max])

/** Compares the rollup path with the raw one over `count` random queries; returns how many went through the rollup. */
async function compareRandomQueries(pipelineIds: string[], seed: number, count: number): Promise<number> {
  const rand = prng(seed)
  const now = Date.now()
  let viaRollup = 0
  for (let i = 0; i < count; i++) {
    const pipelineId = pipelineIds[i % pipelineIds.length]!
    // Half the bounds on whole hours (no partial edge), half anywhere to the millisecond.
    const instant = (ms: number) => (rand() < 0.5 ? Math.floor(ms / 3_600_000) * 3_600_000 : Math.floor(ms))
    const from = instant(now - 16 * DAY_MS + rand() * 16 * DAY_MS)
    const to = Math.min(instant(from + 1 + rand() * 7 * DAY_MS), now + 3_600_000)
    if (!(from < to)) continue
    const input = { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: BUCKETS[Math.floor(rand() * BUCKETS.length)]!, tz: ZONES[Math.floor(rand() * ZONES.length)]! }
    await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId, requestId: 'test' }, async (trx) => {
      const q = normalize(org.id, pipelineId, input, 'count')
      const raw = (await (await pipelineSeriesStatement(trx, pipelineId, q)).execute(trx)).rows
      const hours = wholeHours(q)
      if (!hours) return
      const rolled = (await (await countStatement(trx, pipelineId, q, hours)).execute(trx)).rows
      if (rolled.some((row) => row.straddles)) {
        // Only a zone with a :30 offset and a calendar bucket may split an hour (then the raw path answers).
        expect([input.tz, input.bucket === '1h']).toEqual(['Asia/Kolkata', false])
        return
      }
      viaRollup++
      expect(shape(rolled), JSON.stringify(input)).toEqual(shape(raw))
    })
  }
  return viaRollup
}

/** The public route's answer for a count query, and the raw statement's. */
async function routeAndRaw(pipelineId: string, input: Record<string, string>) {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/series?${new URLSearchParams(input)}`, headers: org.owner.headers })
  expect(response.statusCode, response.body).toBe(200)
  const body = response.json() as { source: string; points: Array<{ t: string; value: number; count: number; min: number; max: number }> }
  const raw = await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId, requestId: 'test' }, async (trx) =>
    (await (await pipelineSeriesStatement(trx, pipelineId, normalize(org.id, pipelineId, input, 'count'))).execute(trx)).rows)
  return { source: body.source, points: body.points.map((p) => [p.t, p.value, p.count, p.min, p.max]), raw: shape(raw) }
}

async function asOwner<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

describe('ingest.pipeline_record_hours', () => {
  it('counts exactly the stored records below the watermark through rollup, tail, retention, compression and expiry; count series equal the raw answer', async () => {
    const now = new Date()
    const fast = await createPipeline(ctx.app, org)
    // Kept raw past the default compression delay, so its old partitions stay attached for the instance retention.
    const slow = await createPipeline(ctx.app, org, { compressAfterDays: 30 })
    const ids = [fast.id, slow.id]
    const days = [2, 4, 6, 8, 9, 10, 11, 12, 13].map((n) => dayStart(now, n))
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: ids }, days, 4000, 5))

    const check = async (step: string, seed: number) => {
      const { mismatches, hours } = await invariant(ids)
      expect(mismatches, step).toEqual([])
      expect(hours, step).toBeGreaterThan(0)
      expect(await compareRandomQueries(ids, seed, 30), step).toBeGreaterThan(5)
    }

    await runTask(ctx, 'pipeline-data:rollup')
    await check('after the rollup', 1)

    // The tail: rows ingested now (above the watermark, 5 minutes behind), record times over the last days.
    await ctx.admin.query(
      `insert into ingest.pipeline_data (organization_id, pipeline_id, data, record_time)
       select $1, case when n % 3 = 0 then $3::uuid else $2::uuid end, jsonb_build_object('n', n), now() - make_interval(secs => (n * 7919) % (4 * 86400))
         from generate_series(1, 600) n`,
      [org.id, fast.id, slow.id],
    )
    await check('with a tail above the watermark', 2)
    const hourly = await routeAndRaw(fast.id, { from: new Date(now.getTime() - 3 * DAY_MS + 1234).toISOString(), to: now.toISOString(), bucket: '1h' })
    expect(hourly.points).toEqual(hourly.raw)
    expect(hourly.points.length).toBeGreaterThan(24)
    expect(hourly.source).toBe('mixed')

    await ctx.admin.query('update ingest.pipelines set retention_days = 11 where id = $1', [fast.id])
    await runTask(ctx, 'pipeline-data:retention')
    const { rows: oldest } = await ctx.admin.query<{ t: Date }>('select min(ingested_at) as t from ingest.pipeline_data where pipeline_id = $1', [fast.id])
    expect(oldest[0]!.t.getTime()).toBeGreaterThanOrEqual(now.getTime() - 12 * DAY_MS)
    await check('after retention of raw rows', 3)

    const compressed = await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(compressed.outcome).toBe('succeeded')
    const { rows: segments } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.pipeline_data_segments where pipeline_id = $1', [fast.id])
    expect(segments[0]!.n).toBeGreaterThan(0)
    await check('after compression', 4)

    // Retention inside segments: whole ones go, a straddling one is trimmed.
    await ctx.admin.query('update ingest.pipelines set retention_days = 9 where id = $1', [fast.id])
    await runTask(ctx, 'pipeline-data:retention')
    const { rows: left } = await ctx.admin.query<{ t: Date }>(
      `select min(r.ingested_at) as t from ingest.pipeline_data_segments s
        cross join lateral ingest.pipeline_segment_rows(s.first_id, s.first_ingested_at, s.id_deltas, s.ingested_deltas, s.record_offsets, s.job_ids, s.data) r
        where s.pipeline_id = $1`, [fast.id])
    expect(left[0]!.t.getTime()).toBeGreaterThanOrEqual(now.getTime() - 10 * DAY_MS)
    await check('after retention inside segments', 5)

    // The instance retention: the slow pipeline's raw partitions and the fast one's segments past 7 days are archived and dropped.
    await asOwner((client) => client.query("update ops.data_retention_policies set retention_days = 7 where table_name = 'pipeline_data'"))
    await applyRetention(ctx.testDb.ownerUrl, archiveDir, now)
    const { rows: oldRaw } = await ctx.admin.query<{ t: Date }>('select min(ingested_at) as t from ingest.pipeline_data where pipeline_id = $1', [slow.id])
    expect(oldRaw[0]!.t.getTime()).toBeGreaterThanOrEqual(now.getTime() - 8 * DAY_MS)
    await check('after the instance retention', 6)

    // The next rollup takes in the tail; deleting a pipeline takes its hours with it.
    await runTask(ctx, 'pipeline-data:rollup')
    await check('after the next rollup', 7)
    const response = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/pipelines/${slow.id}`, headers: org.owner.headers })
    expect(response.statusCode, response.body).toBe(204)
    const { rows: gone } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.pipeline_record_hours where pipeline_id = $1', [slow.id])
    expect(gone[0]!.n).toBe(0)
  })

  it('answers a :30 zone with a daily bucket from the raw rows (an hour of the rollup would span two days)', async () => {
    const pipeline = await createPipeline(ctx.app, org)
    const midnight = dayStart(new Date(), 3)
    // 18:30 UTC is local midnight in Kolkata: one record on each side of it, in the same UTC hour.
    await ctx.admin.query(
      `insert into ingest.pipeline_data (organization_id, pipeline_id, data, record_time) values
         ($1, $2, '{}', $3::timestamptz + interval '18 hours 10 minutes'), ($1, $2, '{}', $3::timestamptz + interval '18 hours 50 minutes')`,
      [org.id, pipeline.id, midnight.toISOString()],
    )
    await ctx.admin.query("update ops.rollup_watermarks set watermark = '-infinity' where name = 'ingest.pipeline_data_hourly'")
    await runTask(ctx, 'pipeline-data:rollup')
    expect((await invariant([pipeline.id])).mismatches).toEqual([])
    const input = { from: new Date(midnight.getTime() - DAY_MS).toISOString(), to: new Date(midnight.getTime() + 2 * DAY_MS).toISOString(), bucket: '1d', tz: 'Asia/Kolkata' }
    const answer = await routeAndRaw(pipeline.id, input)
    expect(answer.points).toEqual(answer.raw)
    expect(answer.points.map((p) => p[2])).toEqual([1, 1])
    expect(answer.source).toBe('raw')
  })
})
