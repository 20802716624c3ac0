import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createPolledPipeline, executionState, prepareWorkflows, runJob, startPolledApi, type PolledApi } from '../../../test/workflows.ts'

let ctx: TestContext
let api: PolledApi

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
})
afterAll(async () => {
  await api.close()
  await ctx.close()
})

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

async function pollingHook(): Promise<{ org: OrgFixture; pipelineId: string; path: string; secret: string }> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPolledPipeline(ctx.app, org, api)
  const issued = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/webhook-secret`, headers: org.owner.headers })
  expect(issued.statusCode).toBe(200)
  const path = new URL(issued.json().webhookUrl).pathname
  return { org, pipelineId: pipeline.id, path, secret: path.split('/').pop()! }
}

describe("a polling pipeline's webhook", () => {
  it("starts a run triggered by webhook, keeps the provider's JSON as context, and the run fetches and stores", async () => {
    const hook = await pollingHook()
    const started = await ctx.app.inject({ method: 'POST', url: hook.path, headers: { 'content-type': 'application/json' }, payload: { event: 'items.changed', id: 'evt_9' } })
    expect(started.statusCode, started.body).toBe(202)
    expect(started.json()).toMatchObject({ runNumber: 1, status: 'Queued' })
    const { rows } = await ctx.admin.query('select triggered_by, trigger_user_id, execution_context from ingest.workflow_executions where id = $1', [started.json().id])
    expect(rows[0]).toEqual({ triggered_by: 'webhook', trigger_user_id: null, execution_context: { webhook: { payload: { event: 'items.changed', id: 'evt_9' } } } })

    await runJob(ctx, hook.org.id, started.json().id)
    expect(await executionState(ctx, started.json().id)).toMatchObject({ status: 'Success' })
    const stored = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.pipeline_data where pipeline_id = $1', [hook.pipelineId])
    expect(stored.rows[0]!.n).toBe(25)
  })

  it('accepts a signed call without a body, and refuses a wrong secret and a paused pipeline', async () => {
    const hook = await pollingHook()
    const bare = await ctx.app.inject({ method: 'POST', url: `/api/v1/hooks/${hook.pipelineId}`, headers: { 'x-tessera-signature': sign(hook.secret, '') } })
    expect(bare.statusCode, bare.body).toBe(202)
    expect(bare.json().runNumber).toBe(1)

    const wrong = await ctx.app.inject({ method: 'POST', url: `/api/v1/hooks/${hook.pipelineId}/not-the-secret`, headers: { 'content-type': 'application/json' }, payload: {} })
    expect(wrong.statusCode).toBe(401)
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${hook.org.id}/pipelines/${hook.pipelineId}/pause`, headers: hook.org.owner.headers, payload: {} })
    const paused = await ctx.app.inject({ method: 'POST', url: hook.path, headers: { 'content-type': 'application/json' }, payload: {} })
    expect(paused.statusCode).toBe(409)
    expect(paused.json().error.code).toBe('pipeline_paused')
    const { rows } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.workflow_executions where pipeline_id = $1', [hook.pipelineId])
    expect(rows[0]!.n).toBe(1)
  })

  it('is not issued until asked for: a new polling pipeline has no webhook', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const read = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}`, headers: org.owner.headers })
    expect(read.json()).toMatchObject({ hasWebhook: false })
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/hooks/${pipeline.id}/anything`, headers: { 'content-type': 'application/json' }, payload: {} })).statusCode).toBe(401)
  })
})
