import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import {
  createPolledPipeline,
  executionState,
  prepareWorkflows,
  queuedJob,
  runJob,
  runUrl,
  startPolledApi,
  testWorkflowDeps,
  triggerRun,
  type PolledApi,
} from '../../../test/workflows.ts'
import { waitFor } from '../../../test/child-worker.ts'
import { scheduleDuePipelines, sweepStaleExecutions } from './workflows.jobs.ts'

let ctx: TestContext
let api: PolledApi
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterEach(async () => {
  await ctx.admin.query("update app.system_settings set setting_value = '5' where setting_key = 'max_concurrent_workflows'")
  api.delayMs = 0
})
afterAll(async () => {
  await api?.close()
  await ctx.close()
})

const setMaxConcurrent = (n: number) => ctx.admin.query("update app.system_settings set setting_value = $1 where setting_key = 'max_concurrent_workflows'", [String(n)])
const runningCount = async () => (await ctx.admin.query<{ n: number }>("select count(*)::int as n from ingest.workflow_executions where status in ('InProgress', 'Cancelling')")).rows[0]!.n
const setWorkflow = (pipelineId: string, payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}/pipelines/${pipelineId}/workflow`, headers: org.owner.headers, payload })
const stages = async (executionId: string) =>
  (await ctx.admin.query<{ stage_type: string; status: string }>('select stage_type, status from ingest.execution_stages where execution_id = $1 order by stage_order', [executionId])).rows.map((r) => `${r.stage_type}:${r.status}`)

/** A pipeline whose source path hangs once the pipeline exists (creating a source checks it once). */
async function hangingPipeline(path: string): Promise<string> {
  const pipeline = await createPolledPipeline(ctx.app, org, api, { path })
  api.hang.add(path)
  return pipeline.id
}

const inFetching = (executionId: string) =>
  waitFor('the run to be fetching', async () => ((await stages(executionId)).includes('fetching:InProgress') ? true : undefined))

describe('timeout', () => {
  it('aborts a run past its deadline: it ends Timeout and frees its slot', async () => {
    const pipelineId = await hangingPipeline('/hang-timeout')
    const run = await triggerRun(ctx.app, org, pipelineId)
    const job = runJob(ctx, org.id, run.id)
    await inFetching(run.id)
    expect(await runningCount()).toBe(1)
    // timeout_minutes is whole minutes: bring the deadline forward rather than wait one.
    await ctx.admin.query('update ingest.workflow_executions set timeout_at = now() where id = $1', [run.id])
    await job
    expect(await executionState(ctx, run.id)).toMatchObject({ status: 'Timeout', error_code: 'timeout', retry_count: 0 })
    expect(await stages(run.id)).toEqual(['fetching:Timeout', 'processing:Skipped', 'storing:Skipped', 'sinks:Skipped'])
    const fetching = await ctx.admin.query('select status from ingest.fetching_history where execution_id = $1', [run.id])
    expect(fetching.rows).toEqual([{ status: 'Cancelled' }])
    expect(await runningCount()).toBe(0)
  })
})

describe('cancel', () => {
  it('stops a running run: Cancelling, then Cancelled, and the slot goes to the next run', async () => {
    await setMaxConcurrent(1)
    const pipelineId = await hangingPipeline('/hang-cancel')
    const run = await triggerRun(ctx.app, org, pipelineId)
    const job = runJob(ctx, org.id, run.id)
    await inFetching(run.id)

    const waiting = await createPolledPipeline(ctx.app, org, api)
    const next = await triggerRun(ctx.app, org, waiting.id)
    await runJob(ctx, org.id, next.id)
    expect((await executionState(ctx, next.id)).status).toBe('Queued')

    const cancel = await ctx.app.inject({ method: 'POST', url: runUrl(org, run.id, '/cancel'), headers: org.owner.headers, payload: {} })
    expect(cancel.json()).toMatchObject({ status: 'Cancelling' })
    await job
    expect((await executionState(ctx, run.id)).status).toBe('Cancelled')
    expect(await stages(run.id)).toEqual(['fetching:Cancelled', 'processing:Skipped', 'storing:Skipped', 'sinks:Skipped'])
    expect(await runningCount()).toBe(0)

    await runJob(ctx, org.id, next.id)
    expect((await executionState(ctx, next.id)).status).toBe('Success')
  })
})

describe('retries', () => {
  it('retries a failed run with exponential backoff, then ends Failed with retry_count = max_retries', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api, { path: '/down' })
    api.fail.add('/down')
    await setWorkflow(pipeline.id, { maxRetries: 2 })
    const run = await triggerRun(ctx.app, org, pipeline.id)
    const delays: number[] = []
    for (const attempt of [1, 2]) {
      await runJob(ctx, org.id, run.id)
      const state = await executionState(ctx, run.id)
      expect(state).toMatchObject({ status: 'Queued', retry_count: attempt, error_code: 'outbound_failed' })
      const { rows } = await ctx.admin.query<{ delay_ms: number; same: boolean }>(
        `select (extract(epoch from e.scheduled_at - e.updated_at) * 1000)::int as delay_ms, j.run_at = e.scheduled_at as same
           from ingest.workflow_executions e join graphile_worker.jobs j on j.key = 'workflows:run:' || e.id where e.id = $1`, [run.id])
      expect(rows[0]?.same).toBe(true)
      delays.push(rows[0]!.delay_ms)
    }
    // retryBaseMs is 1 s in tests: 1 s, then 2 s.
    expect(delays[0]).toBeGreaterThanOrEqual(1000)
    expect(delays[1]).toBeGreaterThanOrEqual(2000)
    expect(delays[1]! - delays[0]!).toBeGreaterThan(500)

    await runJob(ctx, org.id, run.id)
    expect(await executionState(ctx, run.id)).toMatchObject({ status: 'Failed', retry_count: 2, error_code: 'outbound_failed' })
    const attempts = await ctx.admin.query('select retry_attempts, status from ingest.fetching_history where execution_id = $1 order by retry_attempts', [run.id])
    expect(attempts.rows).toEqual([0, 1, 2].map((n) => ({ retry_attempts: n, status: 'Failed' })))
    const workflow = await ctx.admin.query('select failed_executions, total_executions from ingest.workflows where pipeline_id = $1', [pipeline.id])
    expect(workflow.rows).toEqual([{ failed_executions: 1, total_executions: 1 }])
  })
})

describe('concurrency cap', () => {
  it('never runs more than max_concurrent_workflows at once; the others wait Queued', async () => {
    await setMaxConcurrent(1)
    api.delayMs = 100
    const runs = []
    for (let i = 0; i < 3; i++) {
      const pipeline = await createPolledPipeline(ctx.app, org, api)
      runs.push(await triggerRun(ctx.app, org, pipeline.id))
    }
    // Its own connection: the sampler runs while the test queries through ctx.admin.
    const watcher = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await watcher.connect()
    let peak = 0
    let sampling: Promise<unknown> | undefined
    const sampler = setInterval(() => {
      sampling ??= watcher
        .query<{ n: number }>("select count(*)::int as n from ingest.workflow_executions where status in ('InProgress', 'Cancelling')")
        .then(({ rows }) => (peak = Math.max(peak, rows[0]!.n)))
        .finally(() => (sampling = undefined))
    }, 5)
    try {
      const pending = new Set(runs.map((run) => run.id))
      while (pending.size > 0) {
        // Job ids first (ctx.admin runs one query at a time), then the jobs side by side, as workers would.
        const jobs = new Map<string, string>()
        for (const id of pending) {
          jobs.set(id, (await queuedJob(ctx, id))!.id)
        }
        await Promise.all([...pending].map((id) => runJob(ctx, org.id, id, { jobId: jobs.get(id)! })))
        for (const id of [...pending]) {
          if ((await executionState(ctx, id)).status === 'Success') {
            pending.delete(id)
          }
        }
      }
    } finally {
      clearInterval(sampler)
      await sampling
      await watcher.end()
    }
    expect(peak).toBe(1)
  })
})

describe('a worker killed mid-run', () => {
  it('is detected when its job runs again: the run is retried, or ends Failed without retries left', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    const job = await queuedJob(ctx, run.id)
    // What a worker killed during fetching leaves behind: InProgress, its job id, a silent heartbeat.
    await ctx.admin.query(
      "update ingest.workflow_executions set status = 'InProgress', started_at = now(), worker_job = $2, heartbeat_at = now() - interval '3 minutes', current_stage = 'Fetching' where id = $1",
      [run.id, job!.id])
    await runJob(ctx, org.id, run.id)
    expect(await executionState(ctx, run.id)).toMatchObject({ status: 'Queued', retry_count: 1, error_code: 'worker_lost' })
    await runJob(ctx, org.id, run.id)
    expect(await executionState(ctx, run.id)).toMatchObject({ status: 'Success', retry_count: 1, error_code: null })

    await setWorkflow(pipeline.id, { maxRetries: 0 })
    const last = await triggerRun(ctx.app, org, pipeline.id)
    const lastJob = await queuedJob(ctx, last.id)
    await ctx.admin.query("update ingest.workflow_executions set status = 'InProgress', started_at = now(), worker_job = $2, heartbeat_at = now() where id = $1", [last.id, lastJob!.id])
    await runJob(ctx, org.id, last.id)
    expect(await executionState(ctx, last.id)).toMatchObject({ status: 'Failed', error_code: 'worker_lost' })
  })

  it('leaves a run alone while another live worker beats for it', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    const run = await triggerRun(ctx.app, org, pipeline.id)
    await ctx.admin.query("update ingest.workflow_executions set status = 'InProgress', started_at = now(), worker_job = 'another-job', heartbeat_at = now() where id = $1", [run.id])
    await runJob(ctx, org.id, run.id)
    expect((await executionState(ctx, run.id)).status).toBe('InProgress')
  })

  it('is settled by the sweeper when no job comes back, and a queued run that lost its job gets a new one', async () => {
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    await setWorkflow(pipeline.id, { maxRetries: 0 })
    const silent = await triggerRun(ctx.app, org, pipeline.id)
    await ctx.admin.query(
      "update ingest.workflow_executions set status = 'InProgress', started_at = now() - interval '20 minutes', worker_job = '1', heartbeat_at = now() - interval '15 minutes', timeout_at = now() + interval '40 minutes' where id = $1",
      [silent.id])
    const cancelling = await triggerRun(ctx.app, org, pipeline.id)
    await ctx.admin.query("update ingest.workflow_executions set status = 'Cancelling', started_at = now() - interval '2 hours', heartbeat_at = now() - interval '2 hours', timeout_at = now() - interval '1 hour' where id = $1", [cancelling.id])
    const orphan = await triggerRun(ctx.app, org, pipeline.id)
    await ctx.admin.query("update ingest.workflow_executions set scheduled_at = now() - interval '20 minutes' where id = $1", [orphan.id])
    await ctx.admin.query("delete from graphile_worker._private_jobs where key = 'workflows:run:' || $1", [orphan.id])
    const alive = await triggerRun(ctx.app, org, pipeline.id)
    await ctx.admin.query("update ingest.workflow_executions set status = 'InProgress', started_at = now() - interval '20 minutes', heartbeat_at = now(), timeout_at = now() + interval '40 minutes' where id = $1", [alive.id])

    await sweepStaleExecutions(testWorkflowDeps(ctx))

    expect(await executionState(ctx, silent.id)).toMatchObject({ status: 'Failed', error_code: 'worker_lost' })
    expect((await executionState(ctx, cancelling.id)).status).toBe('Cancelled')
    expect((await executionState(ctx, orphan.id)).status).toBe('Queued')
    expect(await queuedJob(ctx, orphan.id)).toBeDefined()
    expect((await executionState(ctx, alive.id)).status).toBe('InProgress')
  })
})

describe('workflows:schedule', () => {
  it('queues due polling pipelines once, as scheduled runs, and moves next_run_at on', async () => {
    const interval = await createPolledPipeline(ctx.app, org, api)
    const cron = await createPolledPipeline(ctx.app, org, api, { body: { intervalSeconds: null, cronSchedule: '*/5 * * * *' } })
    const never = await createPolledPipeline(ctx.app, org, api, { body: { intervalSeconds: null, cronSchedule: '0 0 31 2 *' } })
    const paused = await createPolledPipeline(ctx.app, org, api)
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/pipelines/${paused.id}/pause`, headers: org.owner.headers, payload: {} })
    const sourceless = await createPipeline(ctx.app, org, { type: 'polling', intervalSeconds: 60 })
    const mine = [interval.id, cron.id, never.id, paused.id, sourceless.id]
    const runsOf = async () =>
      (await ctx.admin.query<{ pipeline_id: string; triggered_by: string; trigger_user_id: string | null }>(
        'select pipeline_id, triggered_by, trigger_user_id from ingest.workflow_executions where pipeline_id = any($1)', [mine])).rows

    // A new pipeline's first scheduled run is one interval away; make them all due.
    const created = await ctx.admin.query<{ due_in_s: number }>('select extract(epoch from next_run_at - now())::int as due_in_s from ingest.pipelines where id = $1', [interval.id])
    expect(created.rows[0]!.due_in_s).toBeGreaterThan(3500)
    await ctx.admin.query("update ingest.pipelines set next_run_at = now() - interval '1 minute' where id = any($1)", [mine])

    const now = new Date()
    await scheduleDuePipelines(testWorkflowDeps(ctx), now)
    const runs = await runsOf()
    expect(runs.map((r) => r.pipeline_id).sort()).toEqual([interval.id, cron.id].sort())
    expect(runs.every((r) => r.triggered_by === 'schedule' && r.trigger_user_id === null)).toBe(true)

    const { rows } = await ctx.admin.query<{ id: string; next_run_at: Date | null; status: string }>('select id, next_run_at, status from ingest.pipelines where id = any($1)', [mine])
    const byId = new Map(rows.map((row) => [row.id, row]))
    expect(byId.get(interval.id)!.next_run_at!.getTime()).toBe(now.getTime() + 3600_000)
    const nextCron = byId.get(cron.id)!.next_run_at!
    expect(nextCron.getUTCMinutes() % 5).toBe(0)
    expect(nextCron.getTime()).toBeGreaterThan(now.getTime())
    expect(byId.get(never.id)!.status).toBe('error')
    expect(byId.get(sourceless.id)!.status).toBe('error')
    expect(byId.get(paused.id)!.status).toBe('paused')

    // Due again (a past next_run_at), but a run is still under way: nothing new.
    await ctx.admin.query('update ingest.pipelines set next_run_at = now() - interval \'1 minute\' where id = $1', [interval.id])
    await scheduleDuePipelines(testWorkflowDeps(ctx))
    expect(await runsOf()).toHaveLength(2)

    // The scheduled run runs as the pipeline's creator.
    const scheduled = await ctx.admin.query<{ id: string }>('select id from ingest.workflow_executions where pipeline_id = $1', [interval.id])
    await runJob(ctx, org.id, scheduled.rows[0]!.id)
    expect((await executionState(ctx, scheduled.rows[0]!.id)).status).toBe('Success')
  })
})
