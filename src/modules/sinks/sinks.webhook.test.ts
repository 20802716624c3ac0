import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { setOutboundAllowlist } from '../../../test/data-sources.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { addMember, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { installQueueSchema } from '../jobs/jobs.runner.ts'
import { deliverDue } from './delivery.engine.ts'
import { backoffMs } from './delivery.outcome.ts'
import { addSink, deliveriesOf, sinksUrl, startReceiver, testDeliveryDeps, type Receiver } from './test-support.ts'

/** Webhook sinks against a real HTTP receiver on loopback (allowlisted), signatures checked as a receiver would. */

const SECRET = 'receiver-shared-secret-0123456789'
let ctx: TestContext
let receiver: Receiver
// Each test gets its own organization: a pass over one organization's deliveries sees only its own.
let org: OrgFixture
let ingestKey: string

beforeAll(async () => {
  ctx = await createTestApp()
  await installQueueSchema(ctx.testDb.ownerUrl)
  await setOutboundAllowlist(ctx, ['127.0.0.1'])
  receiver = await startReceiver()
})
beforeEach(async () => {
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  ingestKey = (await createApiKey(ctx.app, org, ['ingest'])).key
  receiver.script.length = 0
})
afterAll(async () => {
  await receiver?.close()
  await ctx.close()
})

async function webhookPipeline(config: Record<string, unknown> = {}) {
  const pipeline = await createPipeline(ctx.app, org)
  const sink = await addSink(ctx, org, pipeline.id, { sinkType: 'webhook', name: 'Receiver', config: { url: `${receiver.url}/hook/${pipeline.id}`, secret: SECRET, ...config } })
  return { pipeline, sink }
}

const requestsFor = (pipelineId: string) => receiver.requests.filter((request) => request.url === `/hook/${pipelineId}`)

describe('webhook sinks', () => {
  it('delivers a pushed batch signed with HMAC-SHA256, retrying 500s until the 200, once', async () => {
    const { pipeline, sink } = await webhookPipeline({ headers: { 'X-Api-Key': 'key-123' }, maxRetries: 3 })
    receiver.script.push(500, 500)
    const records = [{ n: 1, name: 'a' }, { n: 2, name: 'b' }]
    expect((await push(ctx.app, pipeline.id, { key: ingestKey, records })).statusCode).toBe(200)

    // Committed with the batch: the delivery and the job that delivers it.
    const [pending] = await deliveriesOf(ctx, pipeline.id)
    expect(pending).toMatchObject({ status: 'pending', attempts: 0, record_count: 2, hop: 0 })
    const job = await ctx.admin.query('select 1 from graphile_worker.jobs where key = $1', [`sinks:deliver:${org.id}`])
    expect(job.rowCount).toBe(1)

    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ delivered: 1, retrying: 2, failed: 0 })
    const requests = requestsFor(pipeline.id)
    expect(requests).toHaveLength(3)
    requests.forEach((request, i) => {
      const timestamp = String(request.headers['x-tessera-timestamp'])
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60)
      expect(request.headers['x-tessera-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex')}`)
      expect(request.headers['x-tessera-delivery']).toBe(pending!.id)
      expect(request.headers['x-tessera-attempt']).toBe(String(i + 1))
      expect(request.headers['x-api-key']).toBe('key-123')
      expect(request.headers['content-type']).toBe('application/json')
      expect(JSON.parse(request.body)).toEqual(records)
    })
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', attempts: 3, last_status_code: 200, last_error: null, has_payload: true }])

    // Nothing left: another pass sends nothing.
    await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    expect(requestsFor(pipeline.id)).toHaveLength(3)

    const list = await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id, `/${sink.id}/deliveries`), headers: org.owner.headers })
    expect(list.statusCode).toBe(200)
    expect(list.json().deliveries).toMatchObject([{ id: pending!.id, status: 'delivered', attempts: 3, lastStatusCode: 200, recordCount: 2, payloadKept: true, nextAttemptAt: null }])
    const sinks = (await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })).json().sinks
    expect(sinks[0].delivery).toMatchObject({ pending: 0, recordsDelivered: 2, recordsFailed: 0 })
    expect(sinks[0].delivery.lastDeliveredAt).not.toBeNull()
    expect(sinks[0].delivery.lastError).toContain('HTTP 500')
    // Delivery bookkeeping is not a change someone made: no audit entry, updated_at stays.
    expect(sinks[0].updatedAt).toBe(sinks[0].createdAt)
    const audit = await ctx.admin.query("select action from audit.audit_log where table_name = 'ingest.pipeline_sinks' and record_id = $1", [sink.id])
    expect(audit.rows).toEqual([{ action: 'INSERT' }])
  })

  it('waits an exponential backoff with jitter between attempts', async () => {
    expect(backoffMs(1, 5000, 600_000, () => 0)).toBe(2500)
    expect(backoffMs(1, 5000, 600_000, () => 1)).toBe(5000)
    expect(backoffMs(3, 5000, 600_000, () => 1)).toBe(20_000)
    expect(backoffMs(12, 5000, 600_000, () => 0)).toBe(300_000)
    expect(backoffMs(12, 5000, 600_000, () => 1)).toBe(600_000)

    const { pipeline } = await webhookPipeline()
    receiver.script.push(503)
    await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }] })
    expect(await deliverDue(testDeliveryDeps(ctx, { retryBaseMs: 5000 }), { orgId: org.id })).toMatchObject({ retrying: 1, delivered: 0 })
    const { rows } = await ctx.admin.query<{ wait: number; status: string; run_at_matches: boolean }>(
      `select extract(epoch from d.next_attempt_at - d.last_attempt_at)::float as wait, d.status,
              exists (select 1 from graphile_worker.jobs j where j.key = $2 and abs(extract(epoch from j.run_at - d.next_attempt_at)) < 0.01) as run_at_matches
         from ingest.sink_deliveries d where d.pipeline_id = $1`,
      [pipeline.id, `sinks:deliver:${org.id}:later`])
    expect(rows[0]!.status).toBe('pending')
    expect(rows[0]!.wait).toBeGreaterThanOrEqual(2.4)
    expect(rows[0]!.wait).toBeLessThanOrEqual(5.1)
    expect(rows[0]!.run_at_matches).toBe(true)
    // Not due yet: nothing is sent before the backoff ends.
    await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    expect(requestsFor(pipeline.id)).toHaveLength(1)
  })

  it('fails a 400 at once, and a person retries it', async () => {
    const { pipeline, sink } = await webhookPipeline()
    receiver.script.push(400)
    await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }, { n: 2 }, { n: 3 }] })
    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ failed: 1, retrying: 0, delivered: 0 })
    const [failed] = await deliveriesOf(ctx, pipeline.id)
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 400 })
    expect(failed!.last_error).toMatch(/HTTP 400.*scripted 400/)
    const state = (await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })).json().sinks[0].delivery
    expect(state).toMatchObject({ pending: 0, recordsFailed: 3, lastDeliveredAt: null })

    const retryUrl = sinksUrl(org, pipeline.id, `/${sink.id}/deliveries/${failed!.id}/retry`)
    const viewer = await addMember(ctx.app, org, 'viewer')
    expect((await ctx.app.inject({ method: 'POST', url: retryUrl, headers: viewer.headers })).statusCode).toBe(403)
    const retried = await ctx.app.inject({ method: 'POST', url: retryUrl, headers: org.owner.headers })
    expect(retried.statusCode).toBe(200)
    expect(retried.json()).toMatchObject({ id: failed!.id, status: 'pending', attempts: 0 })
    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ delivered: 1 })
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', attempts: 1 }])
    const again = await ctx.app.inject({ method: 'POST', url: retryUrl, headers: org.owner.headers })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('conflict')
    const filtered = await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id, `/${sink.id}/deliveries?status=failed`), headers: viewer.headers })
    expect(filtered.json().deliveries).toEqual([])
  })

  it('gives up after maxRetries + 1 attempts', async () => {
    const { pipeline } = await webhookPipeline({ maxRetries: 1 })
    receiver.script.push(502, 502, 502)
    await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }] })
    expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ retrying: 1, failed: 1 })
    const [row] = await deliveriesOf(ctx, pipeline.id)
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_status_code: 502 })
    expect(row!.last_error).toContain('gave up after 2 attempts')
  })

  it('never delivers one batch twice when workers run side by side', async () => {
    const { pipeline } = await webhookPipeline()
    for (let i = 0; i < 3; i++) {
      await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ batch: i }] })
    }
    const deps = testDeliveryDeps(ctx)
    await Promise.all([deliverDue(deps, { orgId: org.id }), deliverDue(deps, { orgId: org.id }), deliverDue(deps, {})])
    const ids = requestsFor(pipeline.id).map((request) => request.headers['x-tessera-delivery'])
    expect(ids).toHaveLength(3)
    expect(new Set(ids).size).toBe(3)
    expect((await deliveriesOf(ctx, pipeline.id)).map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered'])
  })

  it('refuses an address the outbound allowlist does not admit, for good', async () => {
    const { pipeline } = await webhookPipeline()
    await setOutboundAllowlist(ctx, [])
    try {
      await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }] })
      expect(await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })).toMatchObject({ failed: 1 })
    } finally {
      await setOutboundAllowlist(ctx, ['127.0.0.1'])
    }
    const [row] = await deliveriesOf(ctx, pipeline.id)
    expect(row).toMatchObject({ status: 'failed', attempts: 1 })
    expect(row!.last_error).toMatch(/loopback.*security\.outbound_allowlist/)
    expect(requestsFor(pipeline.id)).toHaveLength(0)
  })
})
