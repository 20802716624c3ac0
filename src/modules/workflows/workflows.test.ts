import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import {
  createPolledPipeline,
  executionState,
  ITEMS,
  prepareWorkflows,
  queuedJob,
  runJob,
  runsUrl,
  runUrl,
  startPolledApi,
  triggerRun,
  type PolledApi,
} from '../../../test/workflows.ts'
import type { RunDetailResponse, RunResponse, StatisticsResponse } from './workflows.schema.ts'

let ctx: TestContext
let api: PolledApi
let org: OrgFixture
let other: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await api?.close()
  await ctx.close()
})

const detail = async (runId: string, o: OrgFixture = org) => {
  const response = await ctx.app.inject({ method: 'GET', url: runUrl(o, runId), headers: o.owner.headers })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as RunDetailResponse
}

describe('a pipeline run', () => {
  it('queues an execution and its job in one transaction, then runs fetching → processing → storing → sinks', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    expect(run).toMatchObject({ runNumber: 1, status: 'Queued', parentExecutionId: null })
    expect(await queuedJob(ctx, run.id)).toBeDefined()

    await runJob(ctx, org.id, run.id)

    const result = await detail(run.id)
    expect(result).toMatchObject({
      status: 'Success',
      triggeredBy: 'manual',
      triggerUserId: org.owner.userId,
      stagesCompleted: 4,
      totalStages: 4,
      progressPercentage: 100,
      contentProcessed: ITEMS.length,
      errorCode: null,
      retryCount: 0,
    })
    expect(result.bytesProcessed).toBeGreaterThan(0)
    expect(result.stages.map((s) => [s.type, s.status, s.itemsProcessed, s.itemsSuccessful, s.itemsFailed])).toEqual([
      ['fetching', 'Success', 3, 3, 0],
      ['processing', 'Success', ITEMS.length, ITEMS.length, 0],
      ['storing', 'Success', ITEMS.length, ITEMS.length, 0],
      ['sinks', 'Skipped', 0, 0, 0],
    ])
    expect(result.stages[3]?.output).toMatchObject({ reason: 'The pipeline has no active sinks' })
    expect(result.fetchingHistory).toHaveLength(1)
    expect(result.fetchingHistory[0]).toMatchObject({
      status: 'Success',
      dataSourceType: 'api',
      dataSourceUrl: `${api.url}/items`,
      numberOfContent: 3,
      contentTypes: { 'application/json': 3 },
      errorCount: 0,
    })
    // Secrets the upstream sent back are not kept.
    expect(result.fetchingHistory[0]?.headersReceived).toMatchObject({ 'set-cookie': '[redacted]' })
    expect(result.fetchedContents.map((c) => [c.name, c.recordCount, c.httpStatus, c.status])).toEqual([
      ['page 1', 10, 200, 'processed'],
      ['page 2', 10, 200, 'processed'],
      ['page 3', 5, 200, 'processed'],
    ])
    expect(result.fetchedContents[0]?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.parse(result.fetchedContents[2]!.preview!)).toEqual(ITEMS.slice(20))
    expect(result.processingHistory).toHaveLength(1)
    expect(result.processingHistory[0]).toMatchObject({
      status: 'Success',
      fetchingId: result.fetchingHistory[0]!.id,
      contentProcessed: ITEMS.length,
      contentSuccessful: ITEMS.length,
      contentFailed: 0,
      accuracyScore: 100,
    })
    expect(result.processingHistory[0]?.inputHash).toMatch(/^[0-9a-f]{64}$/)

    const data = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/data?from=2024-01-01T00:00:00Z&timeField=recordTime&limit=100`, headers: org.owner.headers })
    const rows = (data.json() as { rows: Array<{ data: { id: number; price: number }; recordTime: string }> }).rows
    expect(rows.map((row) => row.data.id).sort((a, b) => a - b)).toEqual(ITEMS.map((item) => item.id))
    expect(rows.find((row) => row.data.id === 3)).toMatchObject({ data: { price: 2.5 }, recordTime: '2024-05-01T10:02:00.000Z' })
  })

  it('records per-record mapping errors with a quality score and stores the good rows', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api, {
      mapping: { mappings: [{ path: '$.id', field: 'id', type: 'integer' }, { path: '$.name', field: 'n', type: 'integer', onCastError: 'reject' }] },
    })
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/workflow`, headers: org.owner.headers, payload: { maxRetries: 0 } })
    const run = await triggerRun(ctx.app, org, pipeline.id)
    await runJob(ctx, org.id, run.id)
    const result = await detail(run.id)
    // Every name ("item 1") fails the integer cast: nothing passes, so the run fails.
    expect(result).toMatchObject({ status: 'Failed', errorCode: 'mapping_failed' })
    expect(result.processingHistory[0]).toMatchObject({ status: 'Failed', contentSuccessful: 0, contentFailed: ITEMS.length, accuracyScore: 0 })
    expect((result.processingHistory[0]?.failedItems as unknown[]).length).toBe(ITEMS.length)

    const partial = await createPolledPipeline(ctx.app, org, api, {
      mapping: { mappings: [{ path: '$.id', field: 'id', type: 'integer' }, { path: '$.price', field: 'price', type: 'number', onCastError: 'reject' }] },
    })
    const second = await triggerRun(ctx.app, org, partial.id)
    await runJob(ctx, org.id, second.id)
    const ok = await detail(second.id)
    expect(ok.status).toBe('Success')
    expect(ok.processingHistory[0]).toMatchObject({ contentProcessed: 25, contentSuccessful: 20, contentFailed: 5, accuracyScore: 80 })
    expect(ok.processingHistory[0]?.qualityMetrics).toMatchObject({ qualityScore: 0.8, errorsByCode: { cast_failed: 5 } })
    expect(ok.stages.find((s) => s.type === 'storing')).toMatchObject({ itemsSuccessful: 20 })
  })

  it('numbers runs 1, 2, 3… per pipeline, with no gap or duplicate under concurrent triggers', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const runs = await Promise.all(Array.from({ length: 8 }, () => triggerRun(ctx.app, org, pipeline.id)))
    expect(runs.map((run) => run.runNumber).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const list = await ctx.app.inject({ method: 'GET', url: `${runsUrl(org, pipeline.id)}?limit=5`, headers: org.owner.headers })
    expect((list.json() as { runs: RunResponse[] }).runs.map((run) => run.runNumber)).toEqual([8, 7, 6, 5, 4])
  })

  it('lists runs filtered by status and time', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const done = await triggerRun(ctx.app, org, pipeline.id)
    await runJob(ctx, org.id, done.id)
    const queued = await triggerRun(ctx.app, org, pipeline.id)
    const list = async (query: string) => {
      const response = await ctx.app.inject({ method: 'GET', url: `${runsUrl(org, pipeline.id)}?${query}`, headers: org.owner.headers })
      expect(response.statusCode, response.body).toBe(200)
      return (response.json() as { runs: RunResponse[] }).runs.map((run) => run.id)
    }
    expect(await list('status=Success')).toEqual([done.id])
    expect(await list('status=Queued')).toEqual([queued.id])
    expect(await list('from=2999-01-01T00:00:00Z')).toEqual([])
    expect(await list('to=2999-01-01T00:00:00Z')).toEqual([queued.id, done.id])
    const bad = await ctx.app.inject({ method: 'GET', url: `${runsUrl(org, pipeline.id)}?status=Sleeping`, headers: org.owner.headers })
    expect(bad.statusCode).toBe(400)
  })

  it('answers statistics with the success rate and its trend against the previous period', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const runs = [await triggerRun(ctx.app, org, pipeline.id), await triggerRun(ctx.app, org, pipeline.id), await triggerRun(ctx.app, org, pipeline.id)]
    for (const run of runs) {
      await runJob(ctx, org.id, run.id)
    }
    // Two runs of the previous 30 days: one success, one failure (rate 50%).
    await ctx.admin.query(
      `insert into ingest.workflow_executions (organization_id, workflow_id, pipeline_id, run_number, status, started_at, completed_at, duration_minutes, content_processed)
       select organization_id, workflow_id, pipeline_id, run_number + 100 + n::int, s, now() - interval '40 days', now() - interval '40 days', 1, 0
         from ingest.workflow_executions, unnest(array['Success', 'Failed']) with ordinality as t(s, n)
        where id = $1`, [runs[0]!.id])
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/statistics`, headers: org.owner.headers })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json() as StatisticsResponse).toMatchObject({
      pipelineId: pipeline.id,
      totalExecutions: 3,
      successfulExecutions: 3,
      failedExecutions: 0,
      successRate: 100,
      previousSuccessRate: 50,
      trendDirection: 'improving',
      totalContentProcessed: 3 * ITEMS.length,
      avgContentPerExecution: ITEMS.length,
    })
    const workflow = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/workflow`, headers: org.owner.headers })
    // The denormalized counters count every ended run, the old ones included.
    expect(workflow.json()).toMatchObject({ totalExecutions: 3, successfulExecutions: 3, failedExecutions: 0, timeoutMinutes: 60, maxRetries: 3 })

    const never = await createPolledPipeline(ctx.app, org, api)
    const empty = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${never.id}/statistics?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z`, headers: org.owner.headers })
    expect(empty.json()).toMatchObject({ workflowId: null, totalExecutions: 0, successRate: null, trendDirection: 'unknown', from: '2024-01-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z' })
  })
})

describe('who may run pipelines', () => {
  it('lets members and write-scoped API keys trigger runs, not viewers or read-only keys', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    expect((await triggerRun(ctx.app, org, pipeline.id, member.headers)).status).toBe('Queued')
    const denied = await ctx.app.inject({ method: 'POST', url: runsUrl(org, pipeline.id), headers: viewer.headers, payload: {} })
    expect(denied.statusCode).toBe(403)
    const viewerList = await ctx.app.inject({ method: 'GET', url: runsUrl(org, pipeline.id), headers: viewer.headers })
    expect(viewerList.statusCode).toBe(200)
    const viewerWorkflow = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/workflow`, headers: viewer.headers })
    expect(viewerWorkflow.statusCode).toBe(200)
    const unrun = await createPolledPipeline(ctx.app, org, api)
    const notYet = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/pipelines/${unrun.id}/workflow`, headers: viewer.headers })
    expect(notYet.statusCode).toBe(404)

    const writeKey = await createApiKey(ctx.app, org, ['write'])
    const viaKey = await triggerRun(ctx.app, org, pipeline.id, bearer(writeKey.key))
    expect((await detail(viaKey.id)).triggeredBy).toBe('api')
    const readKey = await createApiKey(ctx.app, org, ['read'])
    const readOnly = await ctx.app.inject({ method: 'POST', url: runsUrl(org, pipeline.id), headers: bearer(readKey.key), payload: {} })
    expect(readOnly.statusCode).toBe(403)
    expect(readOnly.json()).toMatchObject({ error: { code: 'insufficient_scope' } })
  })

  it('refuses a paused pipeline and one without a data source with 409', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/pause`, headers: org.owner.headers, payload: {} })
    const paused = await ctx.app.inject({ method: 'POST', url: runsUrl(org, pipeline.id), headers: org.owner.headers, payload: {} })
    expect(paused.statusCode).toBe(409)
    expect(paused.json()).toMatchObject({ error: { code: 'pipeline_paused' } })
    const realtime = await createPipeline(ctx.app, org, { type: 'realtime' })
    const pushOnly = await ctx.app.inject({ method: 'POST', url: runsUrl(org, realtime.id), headers: org.owner.headers, payload: {} })
    expect(pushOnly.statusCode).toBe(409)
  })

  it("answers 404 for another organization's pipeline and run ids, and changes nothing", async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    const outsider = other.owner.headers
    for (const [method, url] of [
      ['POST', runsUrl(other, pipeline.id)],
      ['GET', runsUrl(other, pipeline.id)],
      ['GET', `/api/v1/orgs/${other.id}/pipelines/${pipeline.id}/statistics`],
      ['GET', runUrl(other, run.id)],
      ['POST', runUrl(other, run.id, '/cancel')],
      ['POST', runUrl(other, run.id, '/retry')],
      ['GET', runUrl(org, run.id)],
    ] as const) {
      const response = await ctx.app.inject({ method, url, headers: outsider, ...(method === 'POST' ? { payload: {} } : {}) })
      expect([url, response.statusCode]).toEqual([url, 404])
    }
    expect((await executionState(ctx, run.id)).status).toBe('Queued')
  })
})

describe('cancel and retry through the API', () => {
  it('cancels a queued run at once and drops its job; an ended run answers 409', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    const cancel = await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/cancel'), headers: org.owner.headers, payload: {} })
    expect(cancel.statusCode, cancel.body).toBe(200)
    expect(cancel.json()).toMatchObject({ id: run.id, status: 'Cancelled' })
    expect(await queuedJob(ctx, run.id)).toBeUndefined()
    const again = await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/cancel'), headers: org.owner.headers, payload: {} })
    expect(again.statusCode).toBe(409)
  })

  it('retries an ended run from the start as a new run pointing at the original', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    const queuedRetry = await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/retry'), headers: org.owner.headers, payload: {} })
    expect(queuedRetry.statusCode).toBe(409)
    await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/cancel'), headers: org.owner.headers, payload: {} })

    const retried = await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/retry'), headers: org.owner.headers, payload: {} })
    expect(retried.statusCode, retried.body).toBe(201)
    const retry = retried.json() as { id: string; runNumber: number; status: string; parentExecutionId: string }
    expect(retry).toMatchObject({ runNumber: 2, status: 'Queued', parentExecutionId: run.id })
    await runJob(ctx, org.id, retry.id)
    expect((await detail(retry.id)).status).toBe('Success')
    // A retry of the retry still points at the original.
    await ctx.admin.query("update ingest.workflow_executions set status = 'Failed' where id = $1", [retry.id])
    const second = await ctx.app.inject({ method: 'POST', url: runUrl(org, retry.id, '/retry'), headers: org.owner.headers, payload: {} })
    expect(second.json()).toMatchObject({ runNumber: 3, parentExecutionId: run.id })
  })

  it('changes the timeout and retries of the pipeline workflow', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const url = `/api/v1/orgs/${org.id}/pipelines/${pipeline.id}/workflow`
    const patched = await ctx.app.inject({ method: 'PATCH', url, headers: org.owner.headers, payload: { timeoutMinutes: 5, maxRetries: 0 } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ pipelineId: pipeline.id, timeoutMinutes: 5, maxRetries: 0, version: 2 })
    const bad = await ctx.app.inject({ method: 'PATCH', url, headers: org.owner.headers, payload: { timeoutMinutes: 0 } })
    expect(bad.statusCode).toBe(400)
  })

  it("lists seed 004's two workflow templates", async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/workflow-templates', headers: org.owner.headers })
    expect(response.statusCode).toBe(200)
    expect((response.json() as { templates: Array<{ templateName: string }> }).templates.map((t) => t.templateName).sort()).toEqual(['data-processing', 'document-analysis'])
  })
})
