import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { ensurePastPartitions, runTask } from '../../../test/jobs.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { latestRows } from '../data-quality/data-quality.repository.ts'
import { DAY_MS, dayStart, inconsistentSegments, insertRows, partitionOf, randomRows, rawRows, segmentRows } from './compression.fixtures.ts'
import { compressPipelineData } from './compression.ts'
import { summarizeDayRanges } from './day-ranges.ts'
import { retentionCutoff } from './retention.ts'

/** ingest:compress on real PostgreSQL: exact round trip, identical API answers, delays, late rows, retention, deletion. */

let ctx: TestContext
let org: OrgFixture
const now = new Date()

beforeAll(async () => {
  ctx = await createTestApp()
  await ctx.admin.query("set time zone 'UTC'")
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

/** As if the hourly rollup had counted everything up to now (compression waits for it). */
const rollupCaughtUp = () => ctx.admin.query("update ops.rollup_watermarks set watermark = now() where name = 'ingest.pipeline_data_hourly'")

/** A listing or series answer without what legitimately differs between two runs (asOf) or storages (source). */
async function api(url: string, sources?: string[]): Promise<Record<string, unknown>> {
  const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${url}`, headers: org.owner.headers })
  expect(response.statusCode, response.body).toBe(200)
  const body = response.json() as Record<string, unknown>
  sources?.push(String(body.source))
  delete body.asOf
  delete body.source
  return body
}

const partitionState = async (day: Date) =>
  (await ctx.admin.query<{ state: string; exists: boolean }>('select state, to_regclass(partition_table) is not null as exists from ops.partitions where partition_table = $1', [partitionOf(day)])).rows[0]

// Each run detaches the emptied old partitions: every test starts with 20 days of them, as partitions:maintain would have left.
beforeEach(async () => {
  await ensurePastPartitions(ctx, 20)
})

describe('ingest:compress', () => {
  it('rewrites old days into segments that decode to exactly the raw rows; listing and series answer the same; partitions are dropped', async () => {
    const a = await createPipeline(ctx.app, org)
    const b = await createPipeline(ctx.app, org)
    const pipelines = [a.id, b.id]
    const old = [dayStart(now, 15), dayStart(now, 12), dayStart(now, 9)]
    const recent = [dayStart(now, 2)]
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: pipelines }, [...old, ...recent], 4000, 11))
    // One (pipeline, day) past a segment's 1,000 rows.
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: [a.id] }, [old[1]!], 2600, 12))
    const before = await rawRows(ctx.admin, pipelines)
    const range = { from: dayStart(now, 16).toISOString(), to: now.toISOString() }
    const queries = [
      `${a.id}/data?${new URLSearchParams({ ...range, limit: '1000' })}`,
      `${a.id}/data?${new URLSearchParams({ ...range, limit: '7' })}`,
      `${b.id}/data?${new URLSearchParams({ ...range, limit: '250', timeField: 'recordTime' })}`,
      `${a.id}/data?${new URLSearchParams({ from: dayStart(now, 13).toISOString(), to: dayStart(now, 11).toISOString(), limit: '1000', timeField: 'recordTime' })}`,
      `${a.id}/series?${new URLSearchParams({ ...range, bucket: '1h', field: 'amount', agg: 'sum' })}`,
      `${a.id}/series?${new URLSearchParams({ ...range, bucket: '1d', field: 'm.price', agg: 'avg', groupBy: 'country' })}`,
      `${b.id}/series?${new URLSearchParams({ ...range, bucket: '15m', agg: 'count' })}`,
      `${b.id}/series?${new URLSearchParams({ ...range, bucket: '1d', field: 'amount', agg: 'max', groupBy: 'country' })}`,
      `${b.id}/series?${new URLSearchParams({ ...range, bucket: '1w', field: 'amount', agg: 'min', tz: 'Europe/Paris' })}`,
    ]
    const answers = []
    for (const query of queries) {
      const answer = await api(query)
      expect(((answer.rows ?? answer.points) as unknown[]).length, query).toBeGreaterThan(0)
      answers.push(answer)
    }
    // Record-time pruning (ingest:day-ranges) changes no answer either.
    expect((await summarizeDayRanges(ctx.testDb.ownerUrl)).partitions).toBeGreaterThan(0)
    for (const [n, query] of queries.entries()) {
      expect(await api(query), query).toEqual(answers[n])
    }
    const newest = await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId, requestId: 'test' }, (trx) => latestRows(trx, org.id, a.id, 50))
    await rollupCaughtUp()

    const run = await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(run.outcome).toBe('succeeded')
    expect(run.result?.detached).toEqual(expect.arrayContaining(old.map(partitionOf)))

    // The old days left raw storage, and decode to exactly what they were, column by column.
    const rawAfter = await rawRows(ctx.admin, pipelines)
    expect(rawAfter.length).toBeGreaterThan(0)
    expect((await segmentRows(ctx.admin, pipelines)).length).toBe(before.length - rawAfter.length)
    expect([...(await segmentRows(ctx.admin, pipelines)), ...rawAfter].sort()).toEqual(before)
    expect(await inconsistentSegments(ctx.admin)).toEqual([])
    const { rows: chunks } = await ctx.admin.query<{ n: number; biggest: number }>(
      'select count(*)::int as n, max(row_count) as biggest from ingest.pipeline_data_segments where pipeline_id = $1 and day = $2::date', [a.id, old[1]!.toISOString().slice(0, 10)])
    expect(chunks[0]!.n).toBeGreaterThan(2)
    expect(chunks[0]!.biggest).toBe(1000)

    const sources: string[] = []
    for (const [n, query] of queries.entries()) {
      expect(await api(query, sources), query).toEqual(answers[n])
    }
    // The series over old and recent days read both storages.
    expect(sources.filter((source) => source !== 'undefined')).toEqual(['mixed', 'mixed', 'mixed', 'mixed', 'mixed'])
    expect(await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId, requestId: 'test' }, (trx) => latestRows(trx, org.id, a.id, 50))).toEqual(newest)

    for (const day of old) {
      expect(await partitionState(day)).toEqual({ state: 'compressed', exists: false })
    }
    expect(await partitionState(recent[0]!)).toEqual({ state: 'attached', exists: true })
    const { rows: logged } = await ctx.admin.query("select outcome, details from ops.maintenance_runs where job = 'ingest:compress' order by id desc limit 1")
    expect(logged[0]).toMatchObject({ outcome: 'succeeded', details: { rows: before.length - rawAfter.length } })
    // The arrays are TOAST-compressed with lz4 where the server has it, else pglz.
    const { rows: methods } = await ctx.admin.query<{ lz4: boolean; method: string }>(
      `select exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) as lz4,
              (select attcompression::text from pg_attribute where attrelid = 'ingest.pipeline_data_segments'::regclass and attname = 'data') as method`)
    expect(methods[0]!.method).toBe(methods[0]!.lz4 ? 'l' : 'p')
  })

  it("waits for the hourly rollup to pass a day before compressing it", async () => {
    const pipeline = await createPipeline(ctx.app, org)
    const day = dayStart(now, 10)
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: [pipeline.id] }, [day], 50, 3))
    await ctx.admin.query("update ops.rollup_watermarks set watermark = $1 where name = 'ingest.pipeline_data_hourly'", [day])
    const run = await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(run.result?.waitingForRollup).toBeGreaterThan(0)
    expect(await rawRows(ctx.admin, [pipeline.id])).toHaveLength(50)
    await runTask(ctx, 'pipeline-data:rollup')
    await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(await rawRows(ctx.admin, [pipeline.id])).toHaveLength(0)
    expect(await segmentRows(ctx.admin, [pipeline.id])).toHaveLength(50)
  })

  it("keeps a pipeline with a longer compressAfterDays raw (and its day's partition), and merges late rows of a compressed day on the next run", async () => {
    const slow = await createPipeline(ctx.app, org, { compressAfterDays: 30 })
    expect(slow).toMatchObject({ compressAfterDays: 30 })
    const refused = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines`, headers: org.owner.headers, payload: { name: 'Zero', type: 'realtime', compressAfterDays: 0 } })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ error: { code: 'validation_failed' } })
    const other = await createPipeline(ctx.app, org, { compressAfterDays: 5 })
    const reset = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/pipelines/${other.id}`, headers: org.owner.headers, payload: { compressAfterDays: null } })
    expect(reset.json()).toMatchObject({ compressAfterDays: null })
    const fast = await createPipeline(ctx.app, org)
    const day = dayStart(now, 11)
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: [slow.id, fast.id] }, [day], 300, 5))
    const slowRows = await rawRows(ctx.admin, [slow.id])
    await rollupCaughtUp()

    await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(await rawRows(ctx.admin, [slow.id])).toEqual(slowRows)
    expect(await rawRows(ctx.admin, [fast.id])).toEqual([])
    expect(await partitionState(day)).toEqual({ state: 'attached', exists: true })

    // A row reaching the compressed day (its partition is still attached): raw until the next run, read either way.
    await insertRows(ctx.admin, [{ organization_id: org.id, pipeline_id: fast.id, data: { late: true }, ingested_at: new Date(day.getTime() + 5000).toISOString(), record_time: day.toISOString(), ingestion_job_id: null }])
    const listing = `${fast.id}/data?${new URLSearchParams({ from: day.toISOString(), to: new Date(day.getTime() + DAY_MS).toISOString(), limit: '1000' })}`
    const withLate = await api(listing)
    expect(JSON.stringify(withLate)).toContain('"late":true')
    await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(await rawRows(ctx.admin, [fast.id])).toEqual([])
    const { rows: seqs } = await ctx.admin.query<{ seq: number; row_count: number }>('select seq, row_count from ingest.pipeline_data_segments where pipeline_id = $1 order by seq', [fast.id])
    expect(seqs.at(-1)).toMatchObject({ seq: seqs.length - 1, row_count: 1 })
    expect(await api(listing)).toEqual(withLate)
  })

  it('applies per-pipeline retention inside segments, freeing their bytes; deleting a pipeline deletes its segments', async () => {
    const pipeline = await createPipeline(ctx.app, org)
    await insertRows(ctx.admin, randomRows({ orgId: org.id, pipelineIds: [pipeline.id] }, [dayStart(now, 15), dayStart(now, 14), dayStart(now, 13)], 1500, 8))
    const all = await rawRows(ctx.admin, [pipeline.id])
    await rollupCaughtUp()
    await compressPipelineData(ctx.testDb.ownerUrl, { now })
    expect(await segmentRows(ctx.admin, [pipeline.id])).toEqual(all)
    // storage_used_gb counted the rows at ingest; set it to what they take, as the ingest API would have.
    const { rows: bytes } = await ctx.admin.query<{ total: string }>('select sum(data_bytes)::text as total from ingest.pipeline_data_segments where pipeline_id = $1', [pipeline.id])
    await ctx.admin.query('update app.organizations set storage_used_gb = $2::numeric / 1073741824 where id = $1', [org.id, bytes[0]!.total])

    // The cutoff falls inside day 14 (at today's hour): day 15 goes whole, day 14's segments straddle it.
    const retentionDays = 14
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}`, headers: org.owner.headers, payload: { retentionDays } })
    const cutoff = retentionCutoff(new Date(), retentionDays)
    await runTask(ctx, 'pipeline-data:retention')

    const kept = all.filter((row) => new Date(row.split('|')[3]!.replace(' ', 'T').replace(/\+00$/, 'Z')) >= cutoff)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(all.length)
    expect(await segmentRows(ctx.admin, [pipeline.id])).toEqual(kept)
    expect(await inconsistentSegments(ctx.admin)).toEqual([])
    const usage = async () => Number((await ctx.admin.query<{ used: string }>('select storage_used_gb::text as used from app.organizations where id = $1', [org.id])).rows[0]!.used) * 1024 ** 3
    const { rows: left } = await ctx.admin.query<{ total: string }>('select sum(data_bytes)::text as total from ingest.pipeline_data_segments where pipeline_id = $1', [pipeline.id])
    expect(Math.abs((await usage()) - Number(left[0]!.total))).toBeLessThan(2)

    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}`, headers: org.owner.headers })
    expect(deleted.statusCode).toBe(204)
    expect(await segmentRows(ctx.admin, [pipeline.id])).toEqual([])
    expect(await usage()).toBeLessThan(2)
  })
})
