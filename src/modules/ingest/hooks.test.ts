import { createHmac } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

interface Hook {
  org: OrgFixture
  pipelineId: string
  secret: string
  path: string
}

async function realtime(body: Record<string, unknown> = {}): Promise<Hook> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPipeline(ctx.app, org, { type: 'realtime', ...body })
  const path = new URL(pipeline.webhookUrl!).pathname
  return { org, pipelineId: pipeline.id, secret: path.split('/').pop()!, path }
}

const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })

const sign = (secret: string, body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

async function storedData(pipelineId: string): Promise<unknown[]> {
  const { rows } = await ctx.admin.query('select data from ingest.pipeline_data where pipeline_id = $1 order by id', [pipelineId])
  return rows.map((row) => row.data)
}

describe('POST /api/v1/hooks/{pipelineId}/{secret}', () => {
  it("stores a provider's JSON object as one record and an array as several", async () => {
    const hook = await realtime()
    const event = { type: 'invoice.paid', data: { object: { id: 'in_1', amount: 1200 } } }
    const one = await post(hook.path, JSON.stringify(event))
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ accepted: 1, rejected: 0 })
    const many = await post(hook.path, JSON.stringify([{ a: 1 }, { a: 2 }]))
    expect(many.json()).toMatchObject({ accepted: 2 })
    expect(await storedData(hook.pipelineId)).toEqual([event, { a: 1 }, { a: 2 }])
    const job = await ctx.admin.query("select metadata->>'via' as via from ingest.data_ingestion_jobs where pipeline_id = $1 limit 1", [hook.pipelineId])
    expect(job.rows[0].via).toBe('webhook')
  })

  it('refuses a wrong secret, an unknown pipeline and a pipeline that is not realtime, all alike', async () => {
    const hook = await realtime()
    const polling = await createPipeline(ctx.app, hook.org, { type: 'polling', intervalSeconds: 60 })
    for (const url of [
      `/api/v1/hooks/${hook.pipelineId}/${hook.secret.slice(0, -1)}x`,
      `/api/v1/hooks/00000000-0000-4000-8000-000000000000/${hook.secret}`,
      `/api/v1/hooks/${polling.id}/${hook.secret}`,
    ]) {
      const response = await post(url, '{"a":1}')
      expect(response.statusCode, url).toBe(401)
      expect(response.json().error.code).toBe('unauthenticated')
    }
    expect(await storedData(hook.pipelineId)).toEqual([])
  })

  it('stops accepting the old URL once the secret is rotated', async () => {
    const hook = await realtime()
    const rotated = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${hook.org.id}/pipelines/${hook.pipelineId}/webhook-secret`, headers: hook.org.owner.headers })
    expect((await post(hook.path, '{"a":1}')).statusCode).toBe(401)
    expect((await post(new URL(rotated.json().webhookUrl).pathname, '{"a":1}')).statusCode).toBe(200)
  })

  it('applies the mapping, the pause and the Idempotency-Key like the ingest API', async () => {
    const hook = await realtime({ mapping: { mappings: [{ path: '$.data.object.amount', field: 'amount', type: 'integer', required: true }], transformations: [] } })
    const response = await post(hook.path, JSON.stringify([{ data: { object: { amount: '12' } } }, { data: {} }]), { 'idempotency-key': 'evt_1' })
    expect(response.json()).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, code: 'missing_field' }] })
    const replay = await post(hook.path, JSON.stringify([{ data: { object: { amount: '12' } } }, { data: {} }]), { 'idempotency-key': 'evt_1' })
    expect(replay.json()).toEqual(response.json())
    expect(await storedData(hook.pipelineId)).toEqual([{ amount: 12 }])
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${hook.org.id}/pipelines/${hook.pipelineId}/pause`, headers: hook.org.owner.headers, payload: {} })
    const paused = await post(hook.path, '{"data":{"object":{"amount":1}}}')
    expect(paused.statusCode).toBe(409)
    expect(paused.json().error.code).toBe('pipeline_paused')
  })

  it('keeps working after its creator leaves the organization (it then acts as an owner)', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    const pipeline = await createPipeline(ctx.app, org, { type: 'realtime' }, member)
    await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/members/${member.userId}`, headers: org.owner.headers })
    const response = await post(new URL(pipeline.webhookUrl!).pathname, '{"a":1}')
    expect(response.statusCode).toBe(200)
    expect(await storedData(pipeline.id)).toEqual([{ a: 1 }])
  })
})

describe('POST /api/v1/hooks/{pipelineId} with X-Tessera-Signature', () => {
  it('accepts a body signed with the webhook secret, gzip included, and refuses a bad or missing signature', async () => {
    const hook = await realtime()
    const url = `/api/v1/hooks/${hook.pipelineId}`
    const body = JSON.stringify({ id: 'evt_signed' })
    const signed = await post(url, body, { 'x-tessera-signature': sign(hook.secret, body) })
    expect(signed.statusCode).toBe(200)
    const gzipped = await post(url, gzipSync(body), { 'content-encoding': 'gzip', 'x-tessera-signature': sign(hook.secret, body) })
    expect(gzipped.statusCode).toBe(200)
    for (const headers of [{ 'x-tessera-signature': sign('another-secret', body) }, { 'x-tessera-signature': 'sha256=00' }, {}] as Array<Record<string, string>>) {
      const refused = await post(url, body, headers)
      expect(refused.statusCode, JSON.stringify(headers)).toBe(401)
    }
    // Secret in the path and a signature: both must hold.
    expect((await post(hook.path, body, { 'x-tessera-signature': sign('wrong', body) })).statusCode).toBe(401)
    expect((await post(hook.path, body, { 'x-tessera-signature': sign(hook.secret, body) })).statusCode).toBe(200)
    expect(await storedData(hook.pipelineId)).toEqual([{ id: 'evt_signed' }, { id: 'evt_signed' }, { id: 'evt_signed' }])
  })
})

describe('the webhook of a p2p pipeline', () => {
  it('accepts records without storing them', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org, { type: 'p2p' })
    expect(pipeline.webhookUrl).toMatch(/\/api\/v1\/hooks\//)
    const response = await post(new URL(pipeline.webhookUrl!).pathname, '[{"a":1},{"a":2}]')
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0 })
    expect(await storedData(pipeline.id)).toEqual([])
  })
})
