import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createPolledPipeline, ITEMS, prepareWorkflows, runJob, runUrl, startPolledApi, triggerRun, type PolledApi } from '../../../test/workflows.ts'
import { deliverDue } from './delivery.engine.ts'
import { addSink, deliveriesOf, startReceiver, storedRows, testDeliveryDeps, type Receiver } from './test-support.ts'

/** The sinks stage of a pipeline run: deliveries committed, attempted once inline, failures left to the job. */

let ctx: TestContext
let api: PolledApi
let receiver: Receiver
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
  receiver = await startReceiver()
})
beforeEach(async () => {
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  receiver.script.length = 0
})
afterAll(async () => {
  await api?.close()
  await receiver?.close()
  await ctx.close()
})

interface Stage {
  type: string
  status: string
  itemsToProcess: number
  itemsSuccessful: number
  itemsFailed: number
  output: { sinks: Array<Record<string, unknown>>; stored: boolean }
}

async function runPipeline(pipelineId: string): Promise<{ id: string; status: string; sinks: Stage }> {
  const run = await triggerRun(ctx.app, org, pipelineId)
  await runJob(ctx, org.id, run.id)
  const detail = (await ctx.app.inject({ method: 'GET', url: runUrl(org, run.id), headers: org.owner.headers })).json() as { status: string; stages: Stage[] }
  return { id: run.id, status: detail.status, sinks: detail.stages.find((stage) => stage.type === 'sinks')! }
}

const requestsTo = (path: string) => receiver.requests.filter((request) => request.url === path)

describe('the sinks stage of a run', () => {
  it('delivers the mapped rows inline and records the counts per sink', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const sink = await addSink(ctx, org, pipeline.id, { sinkType: 'webhook', name: 'Warehouse hook', config: { url: `${receiver.url}/run/${org.id}`, secret: 'a-long-enough-secret-for-tests' } })
    const run = await runPipeline(pipeline.id)
    expect(run.status).toBe('Success')
    expect(run.sinks).toMatchObject({ status: 'Success', itemsToProcess: ITEMS.length, itemsSuccessful: ITEMS.length, itemsFailed: 0 })
    expect(run.sinks.output).toMatchObject({ stored: true, sinks: [{ sinkId: sink.id, sinkType: 'webhook', name: 'Warehouse hook', deliveries: 1, delivered: ITEMS.length, retrying: 0, failed: 0, queued: 0 }] })
    const [request] = requestsTo(`/run/${org.id}`)
    expect(JSON.parse(request!.body)).toHaveLength(ITEMS.length)
    const { rows } = await ctx.admin.query('select execution_id::text, status from ingest.sink_deliveries where pipeline_id = $1', [pipeline.id])
    expect(rows).toEqual([{ execution_id: run.id, status: 'delivered' }])
  })

  it('leaves a failed delivery to the retrying job; the run still succeeds', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    await addSink(ctx, org, pipeline.id, { sinkType: 'webhook', config: { url: `${receiver.url}/down/${org.id}`, secret: 'a-long-enough-secret-for-tests' } })
    receiver.script.push(503)
    const run = await runPipeline(pipeline.id)
    expect(run.status).toBe('Success')
    expect(run.sinks).toMatchObject({ status: 'Success', itemsSuccessful: 0, itemsFailed: ITEMS.length })
    expect(run.sinks.output.sinks[0]).toMatchObject({ retrying: ITEMS.length, delivered: 0 })
    expect(String(run.sinks.output.sinks[0]!.lastError)).toContain('HTTP 503')
    expect(await storedRows(ctx, pipeline.id)).toHaveLength(ITEMS.length)
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'pending', attempts: 1 }])

    // The inline attempt used the real backoff (seconds): move the clock past it.
    const { rows: due } = await ctx.admin.query("update ingest.sink_deliveries set next_attempt_at = now() where pipeline_id = $1 and next_attempt_at > now() returning 1", [pipeline.id])
    expect(due).toHaveLength(1)
    await deliverDue(testDeliveryDeps(ctx), { orgId: org.id })
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', attempts: 2 }])
    expect(requestsTo(`/down/${org.id}`)).toHaveLength(2)
  })

  it('forwards the rows of a p2p pipeline without storing them', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api, { body: { type: 'p2p' } })
    await addSink(ctx, org, pipeline.id, { sinkType: 'webhook', config: { url: `${receiver.url}/p2p-run/${org.id}`, secret: 'a-long-enough-secret-for-tests' } })
    const run = await runPipeline(pipeline.id)
    expect(run.status).toBe('Success')
    expect(run.sinks).toMatchObject({ status: 'Success', itemsSuccessful: ITEMS.length })
    expect(run.sinks.output.stored).toBe(false)
    expect(await storedRows(ctx, pipeline.id)).toEqual([])
    expect(JSON.parse(requestsTo(`/p2p-run/${org.id}`)[0]!.body)).toHaveLength(ITEMS.length)
    expect(await deliveriesOf(ctx, pipeline.id)).toMatchObject([{ status: 'delivered', has_payload: false }])
  })
})
