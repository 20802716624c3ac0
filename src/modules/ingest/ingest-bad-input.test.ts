import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push, type PushOptions } from '../../../test/ingest.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/**
 * The bad-input matrix of the ingest API: every case answers a 4xx with a stable code, never a
 * 5xx, and the pipeline holds exactly what was acknowledged before (one good batch).
 */

let ctx: TestContext
let org: OrgFixture
let pipelineId: string
let key: string
let readKey: string
let revokedKey: string
let otherOrgKey: string
let otherOrgPipeline: string
let pausedPipeline: string

beforeAll(async () => {
  ctx = await createTestApp()
  await ctx.admin.query("update app.system_settings set setting_value = '100' where setting_key = 'ingest.max_batch_records'")
  await ctx.admin.query("update app.system_settings set setting_value = '65536' where setting_key = 'ingest.max_batch_bytes'")
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  pipelineId = (await createPipeline(ctx.app, org, { mapping: { mappings: [{ path: '$.n', field: 'n', type: 'integer', required: true }], transformations: [] } })).id
  pausedPipeline = (await createPipeline(ctx.app, org)).id
  await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${pausedPipeline}/pause`, headers: org.owner.headers, payload: {} })
  key = (await createApiKey(ctx.app, org, ['ingest'])).key
  readKey = (await createApiKey(ctx.app, org, ['read'])).key
  const revoked = await createApiKey(ctx.app, org, ['ingest'])
  await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/api-keys/${revoked.id}`, headers: org.owner.headers })
  revokedKey = revoked.key
  const other = await createOrg(ctx.app, await registerUser(ctx.app))
  otherOrgKey = (await createApiKey(ctx.app, other, ['ingest', 'admin'])).key
  otherOrgPipeline = (await createPipeline(ctx.app, other)).id
  const good = await push(ctx.app, pipelineId, { key, records: [{ n: 1 }, { n: 2 }] })
  expect(good.statusCode).toBe(200)
})
afterAll(async () => {
  await ctx.close()
})

interface Case {
  name: string
  status: number
  code: string
  request: () => ReturnType<typeof push>
}

/** `to` is a thunk: the ids exist only once beforeAll has run. */
const send = (options: Partial<PushOptions> & { to?: () => string }) => () => push(ctx.app, options.to?.() ?? pipelineId, { key, ...options })

const CASES: Case[] = [
  { name: 'malformed JSON', status: 400, code: 'invalid_json', request: send({ body: '[{"n": 1},' }) },
  { name: 'malformed NDJSON (names the line)', status: 400, code: 'invalid_json', request: send({ body: '{"n":1}\n{"n":2}\n{"n":\n', contentType: 'application/x-ndjson' }) },
  { name: 'a JSON object instead of an array', status: 400, code: 'validation_failed', request: send({ body: '{"n": 1}' }) },
  { name: 'an empty body', status: 400, code: 'invalid_json', request: send({ body: '' }) },
  { name: 'broken gzip', status: 400, code: 'invalid_json', request: send({ body: 'not gzip', headers: { 'content-encoding': 'gzip' } }) },
  { name: 'an unknown Content-Encoding', status: 415, code: 'unsupported_media_type', request: send({ body: '[]', headers: { 'content-encoding': 'br' } }) },
  { name: 'a wrong content type', status: 415, code: 'unsupported_media_type', request: send({ body: 'n=1', contentType: 'application/x-www-form-urlencoded' }) },
  { name: 'text/plain', status: 415, code: 'unsupported_media_type', request: send({ body: '[{"n":1}]', contentType: 'text/plain' }) },
  { name: 'too many records', status: 413, code: 'payload_too_large', request: send({ records: Array.from({ length: 101 }, (_, n) => ({ n })) }) },
  { name: 'too many NDJSON lines', status: 413, code: 'payload_too_large', request: send({ body: '{"n":1}\n'.repeat(101), contentType: 'application/x-ndjson' }) },
  { name: 'too many bytes', status: 413, code: 'payload_too_large', request: send({ records: [{ n: 1, pad: 'x'.repeat(70_000) }] }) },
  { name: 'a gzip bomb (inflates past the byte limit)', status: 413, code: 'payload_too_large', request: send({ body: gzipSync(`[{"n":1,"pad":"${'x'.repeat(200_000)}"}]`), headers: { 'content-encoding': 'gzip' } }) },
  { name: 'no API key', status: 401, code: 'unauthenticated', request: () => ctx.app.inject({ method: 'POST', url: `/api/v1/ingest/${pipelineId}`, headers: { 'content-type': 'application/json' }, payload: '[{"n":9}]' }) },
  { name: 'an invalid API key', status: 401, code: 'unauthenticated', request: send({ key: 'tsk_00000000_nope', records: [{ n: 9 }] }) },
  { name: 'a revoked API key', status: 401, code: 'unauthenticated', request: () => push(ctx.app, pipelineId, { key: revokedKey, records: [{ n: 9 }] }) },
  { name: 'a read-only API key', status: 403, code: 'insufficient_scope', request: () => push(ctx.app, pipelineId, { key: readKey, records: [{ n: 9 }] }) },
  { name: "another organization's key", status: 404, code: 'not_found', request: () => push(ctx.app, pipelineId, { key: otherOrgKey, records: [{ n: 9 }] }) },
  { name: "another organization's pipeline", status: 404, code: 'not_found', request: send({ to: () => otherOrgPipeline, records: [{ n: 9 }] }) },
  { name: 'an unknown pipeline', status: 404, code: 'not_found', request: send({ to: () => '00000000-0000-4000-8000-000000000000', records: [{ n: 9 }] }) },
  { name: 'a pipeline id that is not a uuid', status: 400, code: 'validation_failed', request: send({ to: () => 'not-a-uuid', records: [{ n: 9 }] }) },
  { name: 'a paused pipeline', status: 409, code: 'pipeline_paused', request: send({ to: () => pausedPipeline, records: [{ n: 9 }] }) },
  { name: 'fields of the wrong type with atomic=true', status: 422, code: 'validation_failed', request: send({ atomic: true, records: [{ n: 'nine' }] }) },
  { name: 'atomic=maybe', status: 400, code: 'validation_failed', request: () => ctx.app.inject({ method: 'POST', url: `/api/v1/ingest/${pipelineId}?atomic=maybe`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '[]' }) },
]

describe('ingest bad input', () => {
  for (const testCase of CASES) {
    it(`answers ${testCase.status} ${testCase.code} to ${testCase.name}`, async () => {
      const response = await testCase.request()
      expect({ status: response.statusCode, code: response.json().error?.code }).toEqual({ status: testCase.status, code: testCase.code })
    })
  }

  it('refuses a session cookie (401), even with a CSRF header', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/ingest/${pipelineId}`, headers: { ...org.owner.headers, 'content-type': 'application/json' }, payload: '[{"n":9}]' })
    expect(response.statusCode).toBe(401)
    expect(response.json().error.code).toBe('unauthenticated')
  })

  it('lists fields of the wrong type per record and stores the valid ones', async () => {
    const response = await push(ctx.app, pipelineId, { key, records: [{ n: 'three' }, { n: 4 }, { m: 5 }] })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ accepted: 1, rejected: 2, errors: [{ index: 0, code: 'cast_failed' }, { index: 2, code: 'missing_field' }] })
    const { rows } = await ctx.admin.query('select data->>\'n\' as n from ingest.pipeline_data where pipeline_id = $1 order by id', [pipelineId])
    expect(rows.map((row) => row.n)).toEqual(['1', '2', '4'])
  })

  it('stored nothing that was not acknowledged', async () => {
    const { rows } = await ctx.admin.query('select count(*)::int as n from ingest.pipeline_data where pipeline_id = any($1)', [[pipelineId, pausedPipeline, otherOrgPipeline]])
    expect(rows[0].n).toBe(3)
  })
})
