import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { ensurePastPartitions, runTask } from '../../../test/jobs.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { RETENTION_BATCH } from './retention.ts'

/** pipeline-data:retention and ingest:idempotency-cleanup, run as the worker runs them. */

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
  await ensurePastPartitions(ctx, 5)
})
afterAll(async () => {
  await ctx.close()
})

async function setup(): Promise<{ org: OrgFixture; key: string }> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  return { org, key: (await createApiKey(ctx.app, org, ['ingest'])).key }
}

/** Backdates a batch's rows (moving them to an older partition) and their ingestion job. */
async function age(ingestionJobId: string, days: number): Promise<void> {
  await ctx.admin.query('update ingest.pipeline_data set ingested_at = ingested_at - make_interval(days => $2) where ingestion_job_id = $1', [ingestionJobId, days])
}

async function storageBytes(orgId: string): Promise<number> {
  const { rows } = await ctx.admin.query<{ used: string }>('select storage_used_gb::text as used from app.organizations where id = $1', [orgId])
  return Number(rows[0]!.used) * 1024 ** 3
}

async function rows(pipelineId: string): Promise<Array<{ data: Record<string, unknown> }>> {
  const { rows: stored } = await ctx.admin.query('select data from ingest.pipeline_data where pipeline_id = $1 order by id', [pipelineId])
  return stored
}

describe('pipeline-data:retention', () => {
  it("deletes rows older than the pipeline's retention, frees their bytes and their rollup hours, and leaves other pipelines alone", async () => {
    const { org, key } = await setup()
    const kept = await createPipeline(ctx.app, org, { retentionDays: 2 })
    const forever = await createPipeline(ctx.app, org)
    const old = await push(ctx.app, kept.id, { key, records: Array.from({ length: 30 }, (_, n) => ({ old: n, pad: 'z'.repeat(200) })) })
    await push(ctx.app, kept.id, { key, records: [{ fresh: 1 }, { fresh: 2 }] })
    const ancient = await push(ctx.app, forever.id, { key, records: [{ keep: 1 }] })
    await age(old.json().ingestionJobId, 3)
    await age(ancient.json().ingestionJobId, 4)
    await ctx.admin.query("update ops.rollup_watermarks set watermark = '-infinity' where name = 'ingest.pipeline_data_hourly'")
    await runTask(ctx, 'pipeline-data:rollup')
    const { rows: expired } = await ctx.admin.query<{ bytes: number }>('select sum(pg_column_size(data))::int as bytes from ingest.pipeline_data where ingestion_job_id = $1', [old.json().ingestionJobId])
    const before = await storageBytes(org.id)

    await runTask(ctx, 'pipeline-data:retention')

    expect((await rows(kept.id)).map((row) => row.data)).toEqual([{ fresh: 1 }, { fresh: 2 }])
    expect((await rows(forever.id)).map((row) => row.data)).toEqual([{ keep: 1 }])
    const after = await storageBytes(org.id)
    // storage_used_gb has nine decimals: about a byte.
    expect(Math.abs(before - after - expired[0]!.bytes)).toBeLessThan(2)
    const hours = await ctx.admin.query<{ pipeline_id: string; n: number }>(
      'select pipeline_id::text, sum(record_count)::int as n from ingest.pipeline_data_hourly where pipeline_id = any($1) group by 1 order by 1',
      [[kept.id, forever.id]],
    )
    expect(Object.fromEntries(hours.rows.map((row) => [row.pipeline_id, row.n]))).toEqual({ [kept.id]: 2, [forever.id]: 1 })
  })

  it('deletes in bounded batches until nothing expired is left', async () => {
    const { org } = await setup()
    const pipeline = await createPipeline(ctx.app, org, { retentionDays: 1 })
    const total = RETENTION_BATCH * 2 + 17
    await ctx.admin.query(
      `insert into ingest.pipeline_data (pipeline_id, organization_id, data, ingested_at)
       select $1, $2, jsonb_build_object('n', n), now() - interval '3 days' + make_interval(secs => n % 3600) from generate_series(1, $3) n`,
      [pipeline.id, org.id, total],
    )
    await ctx.admin.query("insert into ingest.pipeline_data (pipeline_id, organization_id, data) values ($1, $2, '{\"recent\": true}')", [pipeline.id, org.id])
    await runTask(ctx, 'pipeline-data:retention')
    expect((await rows(pipeline.id)).map((row) => row.data)).toEqual([{ recent: true }])
  })

  it('keeps everything of a pipeline without retention, and honours a retention changed later', async () => {
    const { org, key } = await setup()
    const pipeline = await createPipeline(ctx.app, org)
    const batch = await push(ctx.app, pipeline.id, { key, records: [{ a: 1 }] })
    await age(batch.json().ingestionJobId, 4)
    await runTask(ctx, 'pipeline-data:retention')
    expect(await rows(pipeline.id)).toHaveLength(1)
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}`, headers: org.owner.headers, payload: { retentionDays: 3 } })
    await runTask(ctx, 'pipeline-data:retention')
    expect(await rows(pipeline.id)).toHaveLength(0)
  })
})

describe('ingest:idempotency-cleanup', () => {
  it('deletes completed keys older than ingest.idempotency_ttl_hours and abandoned in-flight keys, and nothing else', async () => {
    const { org, key } = await setup()
    const pipeline = await createPipeline(ctx.app, org)
    for (const idempotencyKey of ['old', 'recent']) {
      expect((await push(ctx.app, pipeline.id, { key, records: [{ k: idempotencyKey }], idempotencyKey })).statusCode).toBe(200)
    }
    await ctx.admin.query("update ingest.idempotency_keys set created_at = now() - interval '25 hours', completed_at = now() - interval '25 hours' where pipeline_id = $1 and idempotency_key = 'old'", [pipeline.id])
    await ctx.admin.query(
      `insert into ingest.idempotency_keys (organization_id, pipeline_id, idempotency_key, request_hash, status, created_at)
       values ($1, $2, 'abandoned', 'h', 'in_flight', now() - interval '2 hours'), ($1, $2, 'in-flight', 'h', 'in_flight', now() - interval '1 minute')`,
      [org.id, pipeline.id],
    )
    const keys = async () => (await ctx.admin.query<{ k: string }>('select idempotency_key as k from ingest.idempotency_keys where pipeline_id = $1 order by 1', [pipeline.id])).rows.map((row) => row.k)

    await runTask(ctx, 'ingest:idempotency-cleanup')
    expect(await keys()).toEqual(['in-flight', 'recent'])
    // Past its lifetime, a key no longer replays: the same batch is stored again.
    const again = await push(ctx.app, pipeline.id, { key, records: [{ k: 'old' }], idempotencyKey: 'old' })
    expect(again.headers['idempotent-replayed']).toBeUndefined()

    await ctx.admin.query("update app.system_settings set setting_value = '1' where setting_key = 'ingest.idempotency_ttl_hours'")
    try {
      await ctx.admin.query("update ingest.idempotency_keys set created_at = now() - interval '90 minutes' where pipeline_id = $1 and idempotency_key = 'recent'", [pipeline.id])
      await runTask(ctx, 'ingest:idempotency-cleanup')
      expect(await keys()).toEqual(['in-flight', 'old'])
    } finally {
      await ctx.admin.query("update app.system_settings set setting_value = '24' where setting_key = 'ingest.idempotency_ttl_hours'")
    }
  })
})
