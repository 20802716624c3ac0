import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { ensurePastPartitions, runTask } from '../../../test/jobs.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** pipeline-data:rollup keeps ingest.pipeline_data_hourly equal to the raw aggregate of seed 001's continuous aggregate. */

let ctx: TestContext
let org: OrgFixture
let key: string

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePastPartitions(ctx, 4)
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  key = (await createApiKey(ctx.app, org, ['ingest'])).key
})
afterAll(async () => {
  await ctx.close()
})

interface Hour {
  bucket: string
  count: number
  bytes: number
}

/** What the seed's continuous aggregate would hold for a pipeline: straight from pipeline_data. */
async function rawAggregate(pipelineId: string): Promise<Hour[]> {
  const { rows } = await ctx.admin.query<Hour>(
    `select date_trunc('hour', ingested_at, 'UTC')::text as bucket, count(*)::int as count, sum(pg_column_size(data))::int as bytes
       from ingest.pipeline_data where pipeline_id = $1 group by 1 order by 1`,
    [pipelineId],
  )
  return rows
}

async function rollup(pipelineId: string): Promise<Array<Hour & { updated_at: Date }>> {
  const { rows } = await ctx.admin.query<Hour & { updated_at: Date }>(
    'select bucket::text, record_count::int as count, total_bytes::int as bytes, updated_at from ingest.pipeline_data_hourly where pipeline_id = $1 order by bucket',
    [pipelineId],
  )
  return rows
}

const withoutUpdatedAt = (rows: Array<Hour & { updated_at: Date }>) => rows.map(({ updated_at: _, ...hour }) => hour)

/** Inserts rows ingested `hoursAgo` hours ago, as the superuser (the API always ingests now). */
async function insertPast(pipelineId: string, hoursAgo: number, count: number): Promise<void> {
  await ctx.admin.query(
    `insert into ingest.pipeline_data (pipeline_id, organization_id, data, ingested_at, record_time)
     select $1, $2, jsonb_build_object('n', n, 'pad', repeat('x', n)), now() - make_interval(hours => $3), now() - make_interval(hours => $3)
       from generate_series(1, $4) as n`,
    [pipelineId, org.id, hoursAgo, count],
  )
}

async function newPipeline(): Promise<string> {
  return (await createPipeline(ctx.app, org)).id
}

beforeEach(async () => {
  // Every test starts the rollup from scratch: rows the test backdates are then new to it.
  await ctx.admin.query("update ops.rollup_watermarks set watermark = '-infinity', refreshed_at = null where name = 'ingest.pipeline_data_hourly'")
})

describe('pipeline-data:rollup', () => {
  it('rolls up record counts and stored bytes per pipeline and hour, matching count(*) and sum(pg_column_size(data))', async () => {
    const pipelineId = await newPipeline()
    const other = await newPipeline()
    await insertPast(pipelineId, 3, 7)
    await insertPast(pipelineId, 2, 5)
    await push(ctx.app, pipelineId, { key, records: Array.from({ length: 20 }, (_, n) => ({ n, text: 'y'.repeat(n * 10) })) })
    await push(ctx.app, other, { key, records: [{ a: 1 }] })

    await runTask(ctx, 'pipeline-data:rollup')

    const expected = await rawAggregate(pipelineId)
    expect(expected).toHaveLength(3)
    expect(withoutUpdatedAt(await rollup(pipelineId))).toEqual(expected)
    expect(withoutUpdatedAt(await rollup(other))).toEqual(await rawAggregate(other))
  })

  it('recomputes only the hours that new rows fall in', async () => {
    const pipelineId = await newPipeline()
    await insertPast(pipelineId, 3, 4)
    await push(ctx.app, pipelineId, { key, records: [{ a: 1 }] })
    await runTask(ctx, 'pipeline-data:rollup')
    const before = await rollup(pipelineId)
    expect(before).toHaveLength(2)

    const second = await push(ctx.app, pipelineId, { key, records: [{ b: 2 }, { b: 3 }] })
    const { rows } = await ctx.admin.query<{ bucket: string }>("select distinct date_trunc('hour', ingested_at, 'UTC')::text as bucket from ingest.pipeline_data where ingestion_job_id = $1", [second.json().ingestionJobId])
    const touched = rows[0]!.bucket
    await runTask(ctx, 'pipeline-data:rollup')

    const after = await rollup(pipelineId)
    expect(withoutUpdatedAt(after)).toEqual(await rawAggregate(pipelineId))
    for (const hour of after) {
      const previous = before.find((row) => row.bucket === hour.bucket)
      if (hour.bucket === touched) {
        expect(hour.count).toBe((previous?.count ?? 0) + 2)
        expect(hour.updated_at.getTime()).toBeGreaterThan(previous?.updated_at.getTime() ?? 0)
      } else {
        expect(hour).toEqual(previous)
      }
    }
  })

  it('picks up rows whose transaction commits after a refresh passed their ingestion time', async () => {
    const pipelineId = await newPipeline()
    await runTask(ctx, 'pipeline-data:rollup')
    const late = new pg.Client({ connectionString: ctx.testDb.runtimeUrl })
    await late.connect()
    try {
      await late.query('begin')
      await late.query("select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)", [org.owner.userId, org.id])
      const { rows } = await late.query<{ at: Date }>(
        `insert into ingest.pipeline_data (pipeline_id, organization_id, data) select $1, $2, jsonb_build_object('late', n) from generate_series(1, 3) n returning ingested_at as at`,
        [pipelineId, org.id],
      )
      const ingestedAt = rows[0]!.at
      // A refresh runs while the batch is uncommitted: it can't see the rows, and its window ends after their ingested_at.
      await runTask(ctx, 'pipeline-data:rollup')
      const mark = await ctx.admin.query<{ refreshed_at: Date }>("select refreshed_at from ops.rollup_watermarks where name = 'ingest.pipeline_data_hourly'")
      expect(mark.rows[0]!.refreshed_at.getTime()).toBeGreaterThan(ingestedAt.getTime())
      expect(await rollup(pipelineId)).toEqual([])
      await late.query('commit')
    } finally {
      await late.end()
    }
    // Before the next refresh, the hourly API already counts them: hours from the watermark's
    // on are read raw (not only rows ingested after the last refresh).
    const api = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/data/hourly`, headers: org.owner.headers })
    expect(api.json().points.map((p: { recordCount: number }) => p.recordCount)).toEqual([3])
    await runTask(ctx, 'pipeline-data:rollup')
    expect(withoutUpdatedAt(await rollup(pipelineId))).toEqual(await rawAggregate(pipelineId))
    expect((await rollup(pipelineId))[0]?.count).toBe(3)
  })

  it('catches up on days of rows in bounded steps', async () => {
    const pipelineId = await newPipeline()
    await insertPast(pipelineId, 80, 3)
    await insertPast(pipelineId, 50, 2)
    await insertPast(pipelineId, 1, 1)
    await runTask(ctx, 'pipeline-data:rollup')
    expect(withoutUpdatedAt(await rollup(pipelineId))).toEqual(await rawAggregate(pipelineId))
    const { rows } = await ctx.admin.query<{ lag: number }>("select extract(epoch from now() - watermark)::int as lag from ops.rollup_watermarks where name = 'ingest.pipeline_data_hourly'")
    // Caught up: the watermark trails now() by the safety margin only.
    expect(rows[0]!.lag).toBeLessThan(6 * 60)
  })

  it('loses the rollup rows of a deleted pipeline with it', async () => {
    const pipelineId = await newPipeline()
    await push(ctx.app, pipelineId, { key, records: [{ a: 1 }] })
    await runTask(ctx, 'pipeline-data:rollup')
    expect(await rollup(pipelineId)).toHaveLength(1)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}`, headers: org.owner.headers })).statusCode).toBe(204)
    expect(await rollup(pipelineId)).toEqual([])
    await runTask(ctx, 'pipeline-data:rollup')
    expect(await rollup(pipelineId)).toEqual([])
  })
})

describe('GET /orgs/{orgId}/pipelines/{pipelineId}/data/hourly', () => {
  const url = (pipelineId: string, query = '') => `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/data/hourly${query}`

  it('answers the rolled-up hours plus the rows ingested since the rollup ran, with asOf', async () => {
    const pipelineId = await newPipeline()
    await insertPast(pipelineId, 5, 4)
    await push(ctx.app, pipelineId, { key, records: [{ a: 1 }, { a: 2 }] })
    const never = await ctx.app.inject({ method: 'GET', url: url(pipelineId), headers: org.owner.headers })
    expect(never.json()).toEqual({ points: [], asOf: null })

    await runTask(ctx, 'pipeline-data:rollup')
    await push(ctx.app, pipelineId, { key, records: [{ a: 3 }] })
    const response = await ctx.app.inject({ method: 'GET', url: url(pipelineId), headers: org.owner.headers })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    const expected = (await rawAggregate(pipelineId)).map((hour) => ({ hour: new Date(hour.bucket).toISOString(), recordCount: hour.count, totalBytes: hour.bytes }))
    expect(body.points).toEqual(expected)
    const mark = await ctx.admin.query<{ refreshed_at: Date }>("select refreshed_at from ops.rollup_watermarks where name = 'ingest.pipeline_data_hourly'")
    expect(body.asOf).toBe(mark.rows[0]!.refreshed_at.toISOString())
    // The newest row is not rolled up yet: it was counted raw.
    expect((await rollup(pipelineId)).reduce((sum, hour) => sum + hour.count, 0)).toBe(6)
    expect(body.points.reduce((sum: number, point: { recordCount: number }) => sum + point.recordCount, 0)).toBe(7)

    const from = new Date(Date.now() - 2 * 3600_000)
    const narrow = await ctx.app.inject({ method: 'GET', url: url(pipelineId, `?from=${encodeURIComponent(from.toISOString())}`), headers: org.owner.headers })
    const fromHour = Math.floor(from.getTime() / 3600_000) * 3600_000
    expect(narrow.json().points).toEqual(body.points.filter((point: { hour: string }) => new Date(point.hour).getTime() >= fromHour))
    expect(narrow.json().points.length).toBeLessThan(body.points.length)
  })

  it('refuses a reversed or too long range and answers 404 for an unknown pipeline', async () => {
    const pipelineId = await newPipeline()
    const reversed = await ctx.app.inject({ method: 'GET', url: url(pipelineId, '?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z'), headers: org.owner.headers })
    expect(reversed.statusCode).toBe(400)
    const long = await ctx.app.inject({ method: 'GET', url: url(pipelineId, '?from=2024-01-01T00:00:00Z&to=2024-06-01T00:00:00Z'), headers: org.owner.headers })
    expect(long.statusCode).toBe(400)
    const unknown = await ctx.app.inject({ method: 'GET', url: url('00000000-0000-4000-8000-000000000000'), headers: org.owner.headers })
    expect(unknown.statusCode).toBe(404)
  })
})
