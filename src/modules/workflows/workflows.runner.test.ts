import type { ChildProcess } from 'node:child_process'
import pg from 'pg'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createPolledPipeline, executionState, ITEMS, prepareWorkflows, startPolledApi, triggerRun, type PolledApi } from '../../../test/workflows.ts'
import { startChildWorker, waitFor } from '../../../test/child-worker.ts'
import { startJobRunner } from '../jobs/jobs.runner.ts'
import { workflowTasks } from './workflows.jobs.ts'

/** Pipeline runs through a real graphile-worker runner (the process `tessera worker` starts). */

let ctx: TestContext
let api: PolledApi
let org: OrgFixture
let child: ChildProcess | undefined

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  child?.kill('SIGKILL')
  await api?.close()
  await ctx.close()
})

async function runner(options: { deadAfterMs?: number } = {}) {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
  const runtime = testRuntime(ctx.services, ctx.database, ctx.testDb)
  return startJobRunner(runtime, logger, {
    heartbeatMs: 200,
    pollIntervalMs: 100,
    ...(options.deadAfterMs ? { deadAfterMs: options.deadAfterMs } : {}),
    tasks: workflowTasks(runtime, logger, { heartbeatMs: 100, slotWaitMs: 100, retryBaseMs: 200 }),
  })
}

/** A polling pipeline the scheduler leaves alone (its next run is far away): only the test triggers it. */
async function pipeline(pathName = '/items'): Promise<string> {
  const created = await createPolledPipeline(ctx.app, org, api, { path: pathName })
  await ctx.admin.query("update ingest.pipelines set next_run_at = now() + interval '1 day' where id = $1", [created.id])
  return created.id
}

const ended = (id: string) => async () => {
  const state = await executionState(ctx, id)
  return ['Success', 'Failed', 'Cancelled', 'Timeout'].includes(state.status) ? state : undefined
}

describe('runs on a graphile-worker runner', () => {
  it('runs a triggered pipeline to Success and stores its rows; three runs under a cap of one never overlap', async () => {
    const worker = await runner()
    const watcher = new pg.Client({ connectionString: ctx.testDb.adminUrl })
    await watcher.connect()
    try {
      const first = await triggerRun(ctx.app, org, await pipeline())
      expect(await waitFor('the run to end', ended(first.id))).toMatchObject({ status: 'Success', stages_completed: 4 })
      const stored = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.pipeline_data where ingestion_job_id in (select id from ingest.data_ingestion_jobs where metadata->>\'executionId\' = $1)', [first.id])
      expect(stored.rows[0]?.n).toBe(ITEMS.length)

      await ctx.admin.query("update app.system_settings set setting_value = '1' where setting_key = 'max_concurrent_workflows'")
      api.delayMs = 100
      const runs = [await triggerRun(ctx.app, org, await pipeline()), await triggerRun(ctx.app, org, await pipeline()), await triggerRun(ctx.app, org, await pipeline())]
      let peak = 0
      for (const run of runs) {
        await waitFor('the runs to end', async () => {
          const { rows } = await watcher.query<{ n: number }>("select count(*)::int as n from ingest.workflow_executions where status in ('InProgress', 'Cancelling')")
          peak = Math.max(peak, rows[0]!.n)
          return ended(run.id)()
        })
      }
      expect(peak).toBe(1)
      for (const run of runs) {
        expect((await executionState(ctx, run.id)).status).toBe('Success')
      }
    } finally {
      api.delayMs = 0
      await ctx.admin.query("update app.system_settings set setting_value = '5' where setting_key = 'max_concurrent_workflows'")
      await watcher.end()
      await worker.stop()
    }
  })

  it('recovers a run whose worker was killed with SIGKILL mid-run: retried to the end, never left InProgress', async () => {
    const pipelineId = await pipeline('/hang-kill')
    api.hang.add('/hang-kill')
    const started = await startChildWorker('workflow-worker.ts', ctx.testDb)
    child = started.process
    const run = await triggerRun(ctx.app, org, pipelineId)
    await waitFor('the child to be fetching', async () => {
      const { rowCount } = await ctx.admin.query("select 1 from ingest.fetching_history where execution_id = $1 and status = 'InProgress'", [run.id])
      return rowCount ? true : undefined
    })

    const exited = new Promise<NodeJS.Signals | null>((resolve) => child?.once('exit', (_code, signal) => resolve(signal)))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    child = undefined
    expect((await executionState(ctx, run.id)).status).toBe('InProgress')

    // The upstream recovers; a new worker unlocks the dead one's job and runs it again.
    api.hang.delete('/hang-kill')
    const worker = await runner({ deadAfterMs: 1_500 })
    try {
      const state = await waitFor('the run to end', ended(run.id), 60_000)
      expect(state).toMatchObject({ status: 'Success', retry_count: 1 })
      const fetches = await ctx.admin.query('select status, error_message from ingest.fetching_history where execution_id = $1 order by retry_attempts', [run.id])
      expect(fetches.rows.map((row: { status: string }) => row.status)).toEqual(['Failed', 'Success'])
      expect(fetches.rows[0]).toMatchObject({ error_message: expect.stringMatching(/killed or crashed/) })
    } finally {
      await worker.stop()
    }
  })
})
