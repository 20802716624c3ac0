import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { createApiKey, createOrg } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

async function setup(): Promise<{ pipelineId: string; key: string }> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPipeline(ctx.app, org)
  return { pipelineId: pipeline.id, key: (await createApiKey(ctx.app, org, ['ingest'])).key }
}

async function count(pipelineId: string): Promise<number> {
  const { rows } = await ctx.admin.query('select count(*)::int as n from ingest.pipeline_data where pipeline_id = $1', [pipelineId])
  return rows[0].n
}

const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ seq: from + i }))

describe('Idempotency-Key', () => {
  it('replays the stored answer of a completed batch and stores nothing twice', async () => {
    const { pipelineId, key } = await setup()
    const first = await push(ctx.app, pipelineId, { key, records: records(5), idempotencyKey: 'batch-1' })
    expect(first.statusCode).toBe(200)
    const replay = await push(ctx.app, pipelineId, { key, records: records(5), idempotencyKey: 'batch-1' })
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual(first.json())
    expect(replay.headers['idempotent-replayed']).toBe('true')
    // Same content, gzip-encoded: the key covers the decompressed body.
    const gzipped = await push(ctx.app, pipelineId, { key, records: records(5), idempotencyKey: 'batch-1', gzip: true })
    expect(gzipped.json()).toEqual(first.json())
    expect(await count(pipelineId)).toBe(5)
    const jobs = await ctx.admin.query('select count(*)::int as n from ingest.data_ingestion_jobs where pipeline_id = $1', [pipelineId])
    expect(jobs.rows[0].n).toBe(1)
    const other = await push(ctx.app, pipelineId, { key, records: records(5), idempotencyKey: 'batch-2' })
    expect(other.json().ingestionJobId).not.toBe(first.json().ingestionJobId)
    expect(await count(pipelineId)).toBe(10)
  })

  it('answers 422 idempotency_key_reused for the same key with a different body', async () => {
    const { pipelineId, key } = await setup()
    await push(ctx.app, pipelineId, { key, records: records(3), idempotencyKey: 'k' })
    const reused = await push(ctx.app, pipelineId, { key, records: records(3, 100), idempotencyKey: 'k' })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().error.code).toBe('idempotency_key_reused')
    expect(await count(pipelineId)).toBe(3)
  })

  it('keeps keys per pipeline: the same key on another pipeline is a new batch', async () => {
    const { pipelineId, key } = await setup()
    const first = await push(ctx.app, pipelineId, { key, records: records(2), idempotencyKey: 'shared' })
    const { pipelineId: otherPipeline, key: otherKey } = await setup()
    const second = await push(ctx.app, otherPipeline, { key: otherKey, records: records(2), idempotencyKey: 'shared' })
    expect(second.json().ingestionJobId).not.toBe(first.json().ingestionJobId)
    expect(await count(otherPipeline)).toBe(2)
  })

  it('does not remember a batch that failed: a retry after a 409 pipeline_paused is processed', async () => {
    const { pipelineId, key } = await setup()
    await ctx.admin.query("update ingest.pipelines set status = 'paused' where id = $1", [pipelineId])
    expect((await push(ctx.app, pipelineId, { key, records: records(2), idempotencyKey: 'retry-me' })).statusCode).toBe(409)
    await ctx.admin.query("update ingest.pipelines set status = 'active' where id = $1", [pipelineId])
    expect((await push(ctx.app, pipelineId, { key, records: records(2), idempotencyKey: 'retry-me' })).json()).toMatchObject({ accepted: 2 })
    expect(await count(pipelineId)).toBe(2)
  })

  it('answers 409 idempotency_key_in_flight while a request with the key is uncommitted', async () => {
    const { pipelineId, key } = await setup()
    // Another session holds the key's lock, as an uncommitted ingest transaction would.
    const org = await ctx.admin.query('select organization_id::text as id from ingest.pipelines where id = $1', [pipelineId])
    const holder = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await holder.connect()
    try {
      await holder.query('begin')
      await holder.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`idempotency:${org.rows[0].id}:${pipelineId}:held`])
      const response = await push(ctx.app, pipelineId, { key, records: records(2), idempotencyKey: 'held' })
      expect(response.statusCode).toBe(409)
      expect(response.json().error.code).toBe('idempotency_key_in_flight')
      expect(response.headers['retry-after']).toBe('1')
      await holder.query('rollback')
    } finally {
      await holder.end()
    }
    expect((await push(ctx.app, pipelineId, { key, records: records(2), idempotencyKey: 'held' })).statusCode).toBe(200)
  })

  it('lets exactly one of many concurrent requests with the same key store the batch', async () => {
    const { pipelineId, key } = await setup()
    const batch = records(2000)
    const responses = await Promise.all(Array.from({ length: 6 }, () => push(ctx.app, pipelineId, { key, records: batch, idempotencyKey: 'race' })))
    const statuses = responses.map((response) => response.statusCode)
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true)
    expect(statuses).toContain(200)
    const answers = new Set(responses.filter((response) => response.statusCode === 200).map((response) => response.json().ingestionJobId))
    expect(answers.size).toBe(1)
    for (const response of responses.filter((r) => r.statusCode === 409)) {
      expect(response.json().error.code).toBe('idempotency_key_in_flight')
    }
    expect(await count(pipelineId)).toBe(2000)
  })

  it('refuses a key longer than 255 characters', async () => {
    const { pipelineId, key } = await setup()
    const response = await push(ctx.app, pipelineId, { key, records: records(1), idempotencyKey: 'k'.repeat(256) })
    expect(response.statusCode).toBe(400)
    expect(await count(pipelineId)).toBe(0)
  })
})
