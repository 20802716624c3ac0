import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, ndjson, push } from '../../../test/ingest.ts'
import { addMember, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const MAPPING = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.reading.temp', field: 'temperature', type: 'number' },
    { path: '$.at', field: 'at', type: 'timestamp' },
  ],
  transformations: [],
  timestampField: 'at',
}

async function setup(pipelineBody: Record<string, unknown> = {}): Promise<{ org: OrgFixture; pipelineId: string; key: string }> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPipeline(ctx.app, org, pipelineBody)
  const { key } = await createApiKey(ctx.app, org, ['ingest'])
  return { org, pipelineId: pipeline.id, key }
}

async function stored(pipelineId: string): Promise<Array<{ data: Record<string, unknown>; record_time: Date; ingested_at: Date; ingestion_job_id: string }>> {
  const { rows } = await ctx.admin.query('select data, record_time, ingested_at, ingestion_job_id::text from ingest.pipeline_data where pipeline_id = $1 order by id', [pipelineId])
  return rows
}

describe('POST /api/v1/ingest/{pipelineId}', () => {
  it('stores a JSON array as it comes when the pipeline has no mapping, with record_time = ingested_at', async () => {
    const { pipelineId, key } = await setup()
    const records = [{ event: 'signup', user: { id: 1 } }, { event: 'login', tags: ['a', 'b'] }]
    const response = await push(ctx.app, pipelineId, { key, records })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toEqual({ accepted: 2, rejected: 0, filtered: 0, errors: [], ingestionJobId: expect.any(String) })
    const rows = await stored(pipelineId)
    expect(rows.map((row) => row.data)).toEqual(records)
    expect(rows.every((row) => row.record_time.getTime() === row.ingested_at.getTime() && row.ingestion_job_id === body.ingestionJobId)).toBe(true)
    const job = await ctx.admin.query('select job_type, status, records_processed, records_failed, bytes_processed::int as bytes, metadata from ingest.data_ingestion_jobs where id = $1', [body.ingestionJobId])
    expect(job.rows[0]).toMatchObject({ job_type: 'real_time', status: 'completed', records_processed: 2, records_failed: 0, metadata: { via: 'api', received: 2, stored: true } })
    expect(job.rows[0].bytes).toBe(records.map((record) => JSON.stringify(record).length).reduce((a, b) => a + b))
  })

  it('stores objects exactly as received (big numbers keep their digits) and wraps other records as { value }', async () => {
    const { pipelineId, key } = await setup()
    const exact = await push(ctx.app, pipelineId, { key, body: '[ {"big": 12345678901234567890123, "f": 1.50} , {"nested": {"a": [1, 2]}} ]' })
    expect(exact.json()).toMatchObject({ accepted: 2, rejected: 0 })
    const { rows } = await ctx.admin.query("select data->>'big' as big, data::text as text from ingest.pipeline_data where pipeline_id = $1 order by id", [pipelineId])
    expect(rows[0].big).toBe('12345678901234567890123')
    expect(rows[1].text).toBe('{"nested": {"a": [1, 2]}}')
    const mixed = await push(ctx.app, pipelineId, { key, records: [{ a: 1 }, 42, 'text', [1, 2], null] })
    expect(mixed.json()).toMatchObject({ accepted: 5, rejected: 0 })
    expect((await stored(pipelineId)).slice(2).map((row) => row.data)).toEqual([{ a: 1 }, { value: 42 }, { value: 'text' }, { value: [1, 2] }, { value: null }])
  })

  it('accepts NDJSON and gzip, with the same result', async () => {
    const { pipelineId, key } = await setup()
    const records = Array.from({ length: 50 }, (_, n) => ({ n, text: 'line\nbreak "quoted" \u00e9' }))
    const plain = await push(ctx.app, pipelineId, { key, body: ndjson(records), contentType: 'application/x-ndjson' })
    expect(plain.json()).toMatchObject({ accepted: 50, rejected: 0 })
    const gzipped = await push(ctx.app, pipelineId, { key, body: ndjson(records), contentType: 'application/x-ndjson; charset=utf-8', gzip: true })
    expect(gzipped.json()).toMatchObject({ accepted: 50, rejected: 0 })
    const gzippedJson = await push(ctx.app, pipelineId, { key, records, gzip: true })
    expect(gzippedJson.json()).toMatchObject({ accepted: 50, rejected: 0 })
    const rows = await stored(pipelineId)
    expect(rows.map((row) => row.data)).toEqual([...records, ...records, ...records])
  })

  it('applies the mapping: valid records are stored with their record time, invalid ones listed per index', async () => {
    const { pipelineId, key } = await setup({ mapping: MAPPING })
    const records = [
      { id: 1, reading: { temp: '21.5' }, at: '2024-05-01T10:00:00Z' },
      { id: 'not a number', reading: { temp: 3 } },
      { reading: { temp: 4 } },
      { id: 4, at: 'yesterday-ish' },
      { id: 5, reading: { temp: 'hot' } },
      'a string',
      { id: 6 },
    ]
    const response = await push(ctx.app, pipelineId, { key, records })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.accepted).toBe(2)
    expect(body.rejected).toBe(5)
    expect(body.errors.map((error: { index: number; code: string }) => [error.index, error.code])).toEqual([
      [1, 'cast_failed'],
      [2, 'missing_field'],
      [3, 'cast_failed'],
      [4, 'cast_failed'],
      [5, 'invalid_record'],
    ])
    expect(body.errors[0]).toMatchObject({ field: 'id', message: expect.any(String) })
    const rows = await stored(pipelineId)
    expect(rows.map((row) => row.data)).toEqual([
      { id: 1, temperature: 21.5, at: '2024-05-01T10:00:00.000Z' },
      { id: 6, temperature: null, at: null },
    ])
    expect(rows[0]!.record_time.toISOString()).toBe('2024-05-01T10:00:00.000Z')
    expect(rows[1]!.record_time.getTime()).toBe(rows[1]!.ingested_at.getTime())
  })

  it('with atomic=true stores nothing when any record is invalid (422 with the errors), and everything otherwise', async () => {
    const { pipelineId, key } = await setup({ mapping: MAPPING })
    const rejected = await push(ctx.app, pipelineId, { key, atomic: true, records: [{ id: 1 }, { id: 'x' }, { id: 3 }] })
    expect(rejected.statusCode).toBe(422)
    expect(rejected.json().error).toMatchObject({ code: 'validation_failed', details: [{ index: 1, code: 'cast_failed', field: 'id' }] })
    expect(await stored(pipelineId)).toEqual([])
    const jobs = await ctx.admin.query('select count(*)::int as n from ingest.data_ingestion_jobs where pipeline_id = $1', [pipelineId])
    expect(jobs.rows[0].n).toBe(0)
    const accepted = await push(ctx.app, pipelineId, { key, atomic: true, records: [{ id: 1 }, { id: 2 }] })
    expect(accepted.json()).toMatchObject({ accepted: 2, rejected: 0 })
  })

  it('refuses records PostgreSQL cannot store (\\u0000) per record, and stores the rest', async () => {
    const { pipelineId, key } = await setup()
    const response = await push(ctx.app, pipelineId, { key, body: '[{"a":"nul \\u0000 here"},{"a":"fine \\\\u0000 text"},{"a":"lone \\ud800"},{"b":1}]' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 2, errors: [{ index: 0, code: 'unstorable_value' }, { index: 2, code: 'unstorable_value' }] })
    expect((await stored(pipelineId)).map((row) => row.data)).toEqual([{ a: 'fine \\u0000 text' }, { b: 1 }])
  })

  it('counts but does not store the records of a p2p pipeline', async () => {
    const { pipelineId, key } = await setup({ type: 'p2p' })
    const response = await push(ctx.app, pipelineId, { key, records: [{ a: 1 }, { a: 2 }] })
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0 })
    expect(await stored(pipelineId)).toEqual([])
    const job = await ctx.admin.query('select records_processed, metadata from ingest.data_ingestion_jobs where pipeline_id = $1', [pipelineId])
    expect(job.rows[0]).toMatchObject({ records_processed: 2, metadata: { stored: false } })
  })

  it('answers 409 pipeline_paused for a paused pipeline and stores nothing', async () => {
    const { org, pipelineId, key } = await setup()
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/pause`, headers: org.owner.headers, payload: { reason: 'Quota review' } })
    const response = await push(ctx.app, pipelineId, { key, records: [{ a: 1 }] })
    expect(response.statusCode).toBe(409)
    expect(response.json().error).toMatchObject({ code: 'pipeline_paused', message: expect.stringContaining('Quota review') })
    await ctx.admin.query("update ingest.pipelines set status = 'error', status_reason = 'source failed' where id = $1", [pipelineId])
    expect((await push(ctx.app, pipelineId, { key, records: [{ a: 1 }] })).json().error.code).toBe('pipeline_paused')
    expect(await stored(pipelineId)).toEqual([])
  })

  it('lets a viewer’s ingest key push nothing (403), and a member’s key push', async () => {
    const { org, pipelineId } = await setup()
    const viewer = await addMember(ctx.app, org, 'admin')
    const viewerKey = await createApiKey(ctx.app, org, ['ingest'], viewer)
    await ctx.admin.query("update app.organization_members set role = 'viewer' where user_id = $1", [viewer.userId])
    const refused = await push(ctx.app, pipelineId, { key: viewerKey.key, records: [{ a: 1 }] })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().error.code).toBe('forbidden')
    await ctx.admin.query("update app.organization_members set role = 'member' where user_id = $1", [viewer.userId])
    expect((await push(ctx.app, pipelineId, { key: viewerKey.key, records: [{ a: 1 }] })).statusCode).toBe(200)
    expect(await stored(pipelineId)).toHaveLength(1)
  })

  it('tracks storage use and answers 507 over the limit, keeping what was accepted before', async () => {
    const { org, pipelineId, key } = await setup()
    const records = Array.from({ length: 100 }, (_, n) => ({ n, payload: 'x'.repeat(1000) }))
    expect((await push(ctx.app, pipelineId, { key, records })).statusCode).toBe(200)
    // Storage use counts the rows as stored (pg_column_size), to the byte.
    const storageBytes = async () => (await ctx.admin.query('select round(storage_used_gb * 1073741824)::int as bytes from app.organizations where id = $1', [org.id])).rows[0].bytes
    const size = await ctx.admin.query('select sum(pg_column_size(data))::int as bytes from ingest.pipeline_data where pipeline_id = $1', [pipelineId])
    expect(size.rows[0].bytes).toBeGreaterThan(100_000)
    expect(Math.abs((await storageBytes()) - size.rows[0].bytes)).toBeLessThan(2)
    const audit = await ctx.admin.query("select count(*)::int as n from audit.audit_log where table_name = 'app.organizations' and record_id = $1 and action = 'UPDATE'", [org.id])
    expect(audit.rows[0].n).toBe(0)

    // 1 GB limit, 1 GB minus 50 kB used: the next 100 kB batch does not fit.
    await ctx.admin.query('update app.organizations set storage_limit_gb = 1, storage_used_gb = 1 - 50000 / 1073741824.0 where id = $1', [org.id])
    const full = await push(ctx.app, pipelineId, { key, records })
    expect(full.statusCode).toBe(507)
    expect(full.json().error).toMatchObject({ code: 'storage_limit_exceeded', message: expect.stringContaining('storage limit') })
    expect(await stored(pipelineId)).toHaveLength(100)
    const small = await push(ctx.app, pipelineId, { key, records: records.slice(0, 10) })
    expect(small.statusCode).toBe(200)
    expect(await stored(pipelineId)).toHaveLength(110)

    // Deleting the pipeline gives its rows' bytes back.
    await ctx.admin.query('update app.organizations set storage_used_gb = 0 where id = $1', [org.id])
    const other = (await createPipeline(ctx.app, org)).id
    await push(ctx.app, other, { key, records: records.slice(0, 20) })
    expect(await storageBytes()).toBeGreaterThan(20_000)
    await push(ctx.app, pipelineId, { key, records: records.slice(0, 20) })
    const before = await storageBytes()
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/pipelines/${other}`, headers: org.owner.headers })).statusCode).toBe(204)
    expect(before - (await storageBytes())).toBeGreaterThan(20_000)
    expect(await stored(other)).toEqual([])
  })
})

describe('GET /api/v1/orgs/{orgId}/pipelines/{id}/data', () => {
  it('returns stored rows newest first, within the time range and the limit', async () => {
    const { org, pipelineId, key } = await setup({ mapping: MAPPING })
    await push(ctx.app, pipelineId, { key, records: [{ id: 1, at: '2020-01-01T00:00:00Z' }, { id: 2, at: '2020-01-02T00:00:00Z' }] })
    await push(ctx.app, pipelineId, { key, records: [{ id: 3, at: '2020-01-03T00:00:00Z' }] })
    const dataUrl = `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/data`
    const response = await ctx.app.inject({ method: 'GET', url: dataUrl, headers: org.owner.headers })
    expect(response.statusCode).toBe(200)
    const { rows } = response.json()
    expect(rows.map((row: { data: { id: number } }) => row.data.id)).toEqual([3, 2, 1])
    expect(rows[0]).toEqual({ id: expect.stringMatching(/^\d+$/), data: { id: 3, temperature: null, at: '2020-01-03T00:00:00.000Z' }, ingestedAt: expect.any(String), recordTime: '2020-01-03T00:00:00.000Z' })
    const limited = await ctx.app.inject({ method: 'GET', url: `${dataUrl}?limit=1`, headers: org.owner.headers })
    expect(limited.json().rows).toHaveLength(1)
    const byRecordTime = await ctx.app.inject({ method: 'GET', url: `${dataUrl}?timeField=recordTime&from=2020-01-01T12:00:00Z&to=2020-01-02T12:00:00Z`, headers: org.owner.headers })
    expect(byRecordTime.json().rows.map((row: { data: { id: number } }) => row.data.id)).toEqual([2])
    const past = await ctx.app.inject({ method: 'GET', url: `${dataUrl}?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`, headers: org.owner.headers })
    expect(past.json().rows).toEqual([])
    for (const query of ['limit=1001', 'limit=0', 'from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'from=yesterday']) {
      expect((await ctx.app.inject({ method: 'GET', url: `${dataUrl}?${query}`, headers: org.owner.headers })).statusCode, query).toBe(400)
    }
  })
})
