import pino from 'pino'
import type { JobHelpers } from 'graphile-worker'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { setOutboundAllowlist } from '../../../test/data-sources.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { installQueueSchema } from '../jobs/jobs.runner.ts'
import { deliverDue } from './delivery.engine.ts'
import { sinkTasks } from './sinks.jobs.ts'
import { addSink, deliveriesOf, sinksUrl, startReceiver, storedRows, testDeliveryDeps, type Receiver } from './test-support.ts'

/** Pipeline sinks, p2p pipelines, and what the outbox guarantees about an acknowledged batch. */

let ctx: TestContext
let receiver: Receiver
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
})
afterAll(async () => {
  await receiver?.close()
  await ctx.close()
})

const webhookSink = (path: string) => ({ sinkType: 'webhook', config: { url: `${receiver.url}${path}`, secret: 'a-long-enough-secret-for-tests' } })
const requestsTo = (path: string) => receiver.requests.filter((request) => request.url === path)

/** Delivers until nothing of the organization is due any more. */
async function drain(): Promise<void> {
  for (let pass = 0; pass < 20; pass++) {
    const summary = await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    if (Object.values(summary).every((n) => n === 0)) {
      return
    }
  }
  throw new Error('deliveries never settled')
}

async function storageUsed(): Promise<number> {
  const { rows } = await ctx.admin.query<{ used: string }>('select storage_used_gb::text as used from app.organizations where id = $1', [org.id])
  return Number(rows[0]!.used)
}

describe('pipeline sinks', () => {
  it("store the records as they come into the target, count its storage, and go on to the target's sinks", async () => {
    const source = await createPipeline(ctx.app, org, { mapping: { mappings: [{ path: '$.v', field: 'value', type: 'integer' }], transformations: [] } })
    // The target's own mapping is not applied to what a pipeline sink brings.
    const target = await createPipeline(ctx.app, org, { mapping: { mappings: [{ path: '$.other', field: 'other', type: 'string' }], transformations: [] }, sinks: [webhookSink(`/target/${org.id}`)] })
    const sink = await addSink(ctx, org, source.id, { sinkType: 'pipeline', targetPipelineId: target.id })
    await push(ctx.app, source.id, { key: ingestKey, records: [{ v: '1' }, { v: 2 }] })
    const before = await storageUsed()
    await drain()

    expect(await storedRows(ctx, target.id)).toEqual([{ value: 1 }, { value: 2 }])
    expect(await storageUsed()).toBeGreaterThan(before)
    const { rows: jobs } = await ctx.admin.query("select records_processed, metadata from ingest.data_ingestion_jobs where pipeline_id = $1 and metadata->>'via' = 'pipeline_sink'", [target.id])
    expect(jobs).toMatchObject([{ records_processed: 2, metadata: { sourcePipelineId: source.id, sinkId: sink.id, hop: 1, stored: true } }])
    expect(await deliveriesOf(ctx, source.id)).toMatchObject([{ status: 'delivered', hop: 0, attempts: 1 }])
    expect(await deliveriesOf(ctx, target.id)).toMatchObject([{ status: 'delivered', hop: 1 }])
    expect(JSON.parse(requestsTo(`/target/${org.id}`)[0]!.body)).toEqual([{ value: 1 }, { value: 2 }])
  })

  it('end a cycle of pipeline sinks after 5 hops', async () => {
    const a = await createPipeline(ctx.app, org)
    const b = await createPipeline(ctx.app, org)
    await addSink(ctx, org, a.id, { sinkType: 'pipeline', targetPipelineId: b.id })
    await addSink(ctx, org, b.id, { sinkType: 'pipeline', targetPipelineId: a.id })
    await push(ctx.app, a.id, { key: ingestKey, records: [{ ping: true }] })
    await drain()
    // A: the push, then hops 1, 3 and 5; B: hops 0, 2 and 4 land there.
    expect(await storedRows(ctx, a.id)).toHaveLength(4)
    expect(await storedRows(ctx, b.id)).toHaveLength(3)
    const hops = [...(await deliveriesOf(ctx, a.id)), ...(await deliveriesOf(ctx, b.id))].map((row) => row.hop).sort()
    expect(hops).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('keep the records waiting while the target is paused', async () => {
    const source = await createPipeline(ctx.app, org)
    const target = await createPipeline(ctx.app, org)
    await addSink(ctx, org, source.id, { sinkType: 'pipeline', targetPipelineId: target.id })
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${target.id}/pause`, headers: org.owner.headers, payload: {} })
    await push(ctx.app, source.id, { key: ingestKey, records: [{ n: 1 }] })
    await deliverDue(testDeliveryDeps(ctx, { retryBaseMs: 60_000 }), { orgId: org.id })
    const [waiting] = await deliveriesOf(ctx, source.id)
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 })
    expect(waiting!.last_error).toContain('The target pipeline is paused')
    expect(await storedRows(ctx, target.id)).toEqual([])
  })
})

describe('p2p pipelines', () => {
  it('forward pushed records to their sinks, store nothing, and drop the batch once delivered', async () => {
    const pipeline = await createPipeline(ctx.app, org, { type: 'p2p', sinks: [webhookSink(`/p2p/${org.id}`)] })
    const before = await storageUsed()
    const pushed = await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }, { n: 2 }, { n: 3 }] })
    expect(pushed.statusCode).toBe(200)
    expect(pushed.json()).toMatchObject({ accepted: 3, rejected: 0 })
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'pending', has_payload: true, record_count: 3 }])
    await drain()

    expect(JSON.parse(requestsTo(`/p2p/${org.id}`)[0]!.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(await storedRows(ctx, pipeline.id)).toEqual([])
    expect(await storageUsed()).toBe(before)
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', has_payload: false }])
    const [sink] = (await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id), headers: org.owner.headers })).json().sinks
    const [delivery] = (await ctx.app.inject({ method: 'GET', url: sinksUrl(org, pipeline.id, `/${sink.id}/deliveries`), headers: org.owner.headers })).json().deliveries
    expect(delivery).toMatchObject({ status: 'delivered', payloadKept: false, recordCount: 3 })
  })
})

describe('an acknowledged batch', () => {
  it('has its deliveries and their job in the very transaction that stored it, and none when it rolls back', async () => {
    const pipeline = await createPipeline(ctx.app, org, { sinks: [webhookSink(`/ack/${org.id}`)] })
    const pushed = await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 1 }, { n: 2 }] })
    expect(pushed.statusCode).toBe(200)
    const jobId = pushed.json().ingestionJobId as string
    // One commit: the stored rows, the ingestion job, the outbox row and the queued job share a transaction id.
    const { rows } = await ctx.admin.query<{ data: string[]; job: string; delivery: string; queued: string }>(
      `select (select array_agg(distinct xmin::text) from ingest.pipeline_data where ingestion_job_id = $1) as data,
              (select xmin::text from ingest.data_ingestion_jobs where id = $1) as job,
              (select xmin::text from ingest.sink_deliveries where ingestion_job_id = $1) as delivery,
              (select xmin::text from graphile_worker._private_jobs where key = $2) as queued`,
      [jobId, `sinks:deliver:${org.id}`])
    expect(rows[0]!.data).toHaveLength(1)
    expect(new Set([rows[0]!.data[0], rows[0]!.job, rows[0]!.delivery, rows[0]!.queued])).toEqual(new Set([rows[0]!.job]))

    // A batch that rolls back (over the storage limit) leaves no delivery behind.
    await ctx.admin.query('update app.organizations set storage_limit_gb = 0 where id = $1', [org.id])
    expect((await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 3 }] })).statusCode).toBe(507)
    expect(await deliveriesOf(ctx, pipeline.id)).toHaveLength(1)
  })

  it('is delivered by a worker that starts after the process that answered is gone', async () => {
    const pipeline = await createPipeline(ctx.app, org, { sinks: [webhookSink(`/later/${org.id}`)] })
    expect((await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ n: 42 }] })).statusCode).toBe(200)
    // Nothing ran in the answering process; a fresh worker's every-minute sweeper finds the batch.
    const tasks = sinkTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))
    await tasks['sinks:deliver']!({}, {} as JobHelpers)
    expect(requestsTo(`/later/${org.id}`).map((request) => JSON.parse(request.body))).toEqual([[{ n: 42 }]])
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered' }])
  })
})

describe('sinks:cleanup', () => {
  it('removes delivered rows after 7 days and failed ones after 30, and nothing newer or still due', async () => {
    const pipeline = await createPipeline(ctx.app, org, { sinks: [webhookSink(`/cleanup/${org.id}`)] })
    for (let i = 0; i < 5; i++) {
      await push(ctx.app, pipeline.id, { key: ingestKey, records: [{ i }] })
    }
    const ids = (await deliveriesOf(ctx, pipeline.id)).map((row) => row.id)
    const age = (id: string, set: string) => ctx.admin.query(`update ingest.sink_deliveries set ${set} where id = $1`, [id])
    await age(ids[0]!, "status = 'delivered', delivered_at = now() - interval '8 days', last_attempt_at = now() - interval '8 days'")
    await age(ids[1]!, "status = 'delivered', delivered_at = now() - interval '6 days', last_attempt_at = now() - interval '6 days'")
    await age(ids[2]!, "status = 'failed', last_attempt_at = now() - interval '31 days'")
    await age(ids[3]!, "status = 'failed', last_attempt_at = now() - interval '8 days'")
    await age(ids[4]!, "next_attempt_at = now() + interval '1 hour', created_at = now() - interval '60 days'")
    const tasks = sinkTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))
    await tasks['sinks:cleanup']!({}, {} as JobHelpers)
    expect((await deliveriesOf(ctx, pipeline.id)).map((row) => row.id).sort()).toEqual([ids[1], ids[3], ids[4]].sort())
  })
})
