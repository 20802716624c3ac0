import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { decryptSinkConfig } from './sinks.service.ts'
import type { SinkRow } from './sinks.repository.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const sinksUrl = (org: OrgFixture, pipelineId: string, sinkId = '') => `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/sinks${sinkId ? `/${sinkId}` : ''}`

async function sinkRow(id: string): Promise<SinkRow> {
  const { rows } = await ctx.admin.query<SinkRow>('select * from ingest.pipeline_sinks where id = $1', [id])
  return rows[0]!
}

describe('pipeline sinks', () => {
  it('encrypts a webhook sink’s secrets (signing secret, headers, URL credentials) and never returns them', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org)
    const response = await ctx.app.inject({
      method: 'POST',
      url: sinksUrl(org, pipeline.id),
      headers: org.owner.headers,
      payload: { sinkType: 'webhook', name: 'Receiver', config: { url: 'https://bob:s3cret-pass@hooks.example.com/in?x=1', headers: { Authorization: 'Bearer tok-123456' }, maxRetries: 3 } },
    })
    expect(response.statusCode).toBe(201)
    const sink = response.json()
    expect(sink).toMatchObject({
      sinkType: 'webhook',
      name: 'Receiver',
      isActive: true,
      config: { url: 'https://hooks.example.com/in?x=1', maxRetries: 3, timeoutMs: 10000, headerNames: ['Authorization'] },
      secretFields: ['headers', 'secret', 'urlCredentials'],
      targetPipelineId: null,
    })
    expect(sink.signingSecret).toMatch(/^whsec_/)
    expect(sink.delivery).toEqual({ pending: 0, lastDeliveredAt: null, lastError: null, lastErrorAt: null, recordsDelivered: 0, recordsFailed: 0 })
    const list = await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })
    expect(list.json().sinks).toHaveLength(1)
    for (const body of [response.body, list.body]) {
      expect(body).not.toContain('s3cret-pass')
      expect(body).not.toContain('tok-123456')
    }
    expect(list.body).not.toContain(sink.signingSecret)

    const row = await sinkRow(sink.id)
    expect(JSON.stringify(row.sink_config)).not.toContain('s3cret')
    expect(row.sink_config_encrypted).toMatch(/^v1:/)
    expect(decryptSinkConfig(row, ctx.services.box)).toMatchObject({
      url: 'https://bob:s3cret-pass@hooks.example.com/in?x=1',
      secret: sink.signingSecret,
      headers: { Authorization: 'Bearer tok-123456' },
      maxRetries: 3,
    })
  })

  it('keeps a PostgreSQL sink’s password encrypted and refuses unknown connection keys', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org)
    const config = { host: 'db.example.com', database: 'warehouse', user: 'loader', password: 'pg-pass-xyz', table: 'events' }
    const response = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, pipeline.id), headers: org.owner.headers, payload: { sinkType: 'postgresql', config } })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ config: { host: 'db.example.com', port: 5432, database: 'warehouse', user: 'loader', table: 'events', schema: 'public' }, secretFields: ['password'] })
    expect(response.body).not.toContain('pg-pass-xyz')
    expect(decryptSinkConfig(await sinkRow(response.json().id), ctx.services.box)).toMatchObject({ password: 'pg-pass-xyz' })
    for (const bad of [{ ...config, options: '-c statement_timeout=0' }, { ...config, table: 'events; drop table x' }, { host: 'h', database: 'd', user: 'u' }]) {
      const refused = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, pipeline.id), headers: org.owner.headers, payload: { sinkType: 'postgresql', config: bad } })
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400)
    }
  })

  it('links a pipeline sink to another pipeline of the same organization only', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const other = await createOrg(ctx.app, await registerUser(ctx.app))
    const source = await createPipeline(ctx.app, org)
    const target = await createPipeline(ctx.app, org)
    const foreign = await createPipeline(ctx.app, other)
    const linked = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, source.id), headers: org.owner.headers, payload: { sinkType: 'pipeline', targetPipelineId: target.id } })
    expect(linked.statusCode).toBe(201)
    expect(linked.json()).toMatchObject({ sinkType: 'pipeline', targetPipelineId: target.id, secretFields: [] })
    for (const targetPipelineId of [foreign.id, source.id, undefined]) {
      const refused = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, source.id), headers: org.owner.headers, payload: { sinkType: 'pipeline', targetPipelineId } })
      expect(refused.statusCode).toBe(400)
    }
    const bad = await ctx.app.inject({ method: 'POST', url: sinksUrl(org, source.id), headers: org.owner.headers, payload: { sinkType: 'webhook', config: { url: 'ftp://files.example.com/x' } } })
    expect(bad.statusCode).toBe(400)
  })

  it('deletes a sink; another pipeline’s sink id answers 404', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org, { sinks: [{ sinkType: 'webhook', config: { url: 'https://hooks.example.com/a', secret: 'a-long-enough-secret' } }] })
    const otherPipeline = await createPipeline(ctx.app, org)
    const [sink] = (await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })).json().sinks
    expect((await ctx.app.inject({ method: 'DELETE', url: sinksUrl(org, otherPipeline.id, sink.id), headers: org.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'DELETE', url: sinksUrl(org, pipeline.id, sink.id), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })).json().sinks).toEqual([])
  })
})
