import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { runTask } from '../../../test/jobs.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createPolledPipeline, executionState, prepareWorkflows, runJob, startPolledApi, triggerRun, type PolledApi } from '../../../test/workflows.ts'

/** The worker side of data quality: freshness every minute, result cleanup, and the checks of pipeline runs. */

let ctx: TestContext
let api: PolledApi

beforeAll(async () => {
  ctx = await createTestApp()
  await prepareWorkflows(ctx)
  api = await startPolledApi()
})
afterAll(async () => {
  await api?.close()
  await ctx.close()
})

interface Fixture {
  org: OrgFixture
  pipelineId: string
  key: string
}

async function setup(): Promise<Fixture> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPipeline(ctx.app, org)
  return { org, pipelineId: pipeline.id, key: (await createApiKey(ctx.app, org, ['ingest'])).key }
}

async function addCheck(f: Fixture, body: Record<string, unknown>): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/quality-checks`, headers: f.org.owner.headers, payload: { name: 'Fresh data', ...body } })
  if (response.statusCode !== 201) {
    throw new Error(`create check failed: ${response.statusCode} ${response.body}`)
  }
  return (response.json() as { id: string }).id
}

/**
 * Moves a check's grace start (its last change, and the one its latest result carries) into
 * the past; the triggers leave updated_at alone when only it and the result change.
 */
async function ageCheck(checkId: string, minutes: number): Promise<void> {
  await ctx.admin.query(
    `update ingest.data_quality_checks
        set updated_at = now() - make_interval(mins => $2),
            result = case when result ? 'graceFrom' then jsonb_set(result, '{graceFrom}', to_jsonb(now() - make_interval(mins => $2))) else result end
      where id = $1`,
    [checkId, minutes],
  )
}

async function pipelineRow(pipelineId: string): Promise<{ status: string; status_reason: string | null }> {
  const { rows } = await ctx.admin.query('select status, status_reason from ingest.pipelines where id = $1', [pipelineId])
  return rows[0]
}

async function checkRow(checkId: string): Promise<{ passed: boolean | null; result: Record<string, unknown> | null; results: number }> {
  const { rows } = await ctx.admin.query(
    'select passed, result, (select count(*)::int from ingest.data_quality_results r where r.check_id = c.id) as results from ingest.data_quality_checks c where id = $1',
    [checkId],
  )
  return rows[0]
}

describe('data-quality:freshness', () => {
  it('pauses a pipeline that received nothing for longer than maxAgeMinutes, naming the check', async () => {
    const f = await setup()
    const checkId = await addCheck(f, { name: 'Data every 5 minutes', checkType: 'freshness', config: { maxAgeMinutes: 5 }, onFailure: 'pause' })
    // Just created: the grace period runs from the check's creation.
    await runTask(ctx, 'data-quality:freshness')
    expect(await checkRow(checkId)).toMatchObject({ passed: true, results: 1 })
    expect((await pipelineRow(f.pipelineId)).status).toBe('active')

    await ageCheck(checkId, 12)
    await runTask(ctx, 'data-quality:freshness')
    const pipeline = await pipelineRow(f.pipelineId)
    expect(pipeline.status).toBe('paused')
    expect(pipeline.status_reason).toMatch(/^Data quality check "Data every 5 minutes" \(freshness\) failed: no records for 12 minutes, more than its 5\./)
    const check = await checkRow(checkId)
    expect(check).toMatchObject({ passed: false, results: 2, result: { lastDataAt: null, maxAgeMinutes: 5, action: 'paused' } })
    expect((await push(ctx.app, f.pipelineId, { key: f.key, records: [{ a: 1 }] })).json().error.code).toBe('pipeline_paused')
    const results = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/quality-checks/${checkId}/results`, headers: f.org.owner.headers })
    expect(results.json().results[0]).toMatchObject({ trigger: 'schedule', passed: false })

    // Resumed: a new grace period, so it is not paused again at once.
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/resume`, headers: f.org.owner.headers })
    await runTask(ctx, 'data-quality:freshness')
    expect((await pipelineRow(f.pipelineId)).status).toBe('active')
    expect(await checkRow(checkId)).toMatchObject({ passed: true, result: { action: 'none' } })
  })

  it('passes while data arrives, only warns with onFailure warn, and writes history only when the verdict changes', async () => {
    const f = await setup()
    const checkId = await addCheck(f, { checkType: 'freshness', config: { maxAgeMinutes: 5 } })
    await ageCheck(checkId, 30)
    await push(ctx.app, f.pipelineId, { key: f.key, records: [{ a: 1 }] })
    await runTask(ctx, 'data-quality:freshness')
    expect(await checkRow(checkId)).toMatchObject({ passed: true, results: 1 })
    await runTask(ctx, 'data-quality:freshness')
    expect(await checkRow(checkId)).toMatchObject({ passed: true, results: 1 })

    // The last batch is now 20 minutes old.
    await ctx.admin.query("update ingest.data_ingestion_jobs set started_at = now() - interval '20 minutes' where pipeline_id = $1", [f.pipelineId])
    await runTask(ctx, 'data-quality:freshness')
    const check = await checkRow(checkId)
    expect(check).toMatchObject({ passed: false, results: 2, result: { action: 'warned' } })
    expect(check.result?.ageMinutes).toBeGreaterThanOrEqual(20)
    expect((await pipelineRow(f.pipelineId)).status).toBe('active')
  })

  it('skips paused pipelines and disabled checks', async () => {
    const f = await setup()
    const checkId = await addCheck(f, { checkType: 'freshness', config: { maxAgeMinutes: 1 }, onFailure: 'pause' })
    await ageCheck(checkId, 10)
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/pause`, headers: f.org.owner.headers, payload: { reason: 'maintenance' } })
    await runTask(ctx, 'data-quality:freshness')
    expect(await checkRow(checkId)).toMatchObject({ passed: null, results: 0 })
    await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/resume`, headers: f.org.owner.headers })
    await ctx.admin.query('update ingest.data_quality_checks set enabled = false where id = $1', [checkId])
    await runTask(ctx, 'data-quality:freshness')
    expect(await checkRow(checkId)).toMatchObject({ passed: null, results: 0 })
  })

  it('evaluates a freshness check on demand without pausing', async () => {
    const f = await setup()
    const checkId = await addCheck(f, { checkType: 'freshness', config: { maxAgeMinutes: 5 }, onFailure: 'pause' })
    await ageCheck(checkId, 10)
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${f.org.id}/pipelines/${f.pipelineId}/quality-checks/${checkId}/run`, headers: f.org.owner.headers })
    expect(response.json()).toMatchObject({ trigger: 'manual', passed: false, result: { maxAgeMinutes: 5, action: 'warned' } })
    expect((await pipelineRow(f.pipelineId)).status).toBe('active')
  })
})

describe('data-quality:cleanup', () => {
  it('deletes results older than ingest.quality_results_retention_days and keeps the rest', async () => {
    const f = await setup()
    const checkId = await addCheck(f, { checkType: 'completeness', config: { fields: ['a'] } })
    await push(ctx.app, f.pipelineId, { key: f.key, records: [{ a: 1 }] })
    await push(ctx.app, f.pipelineId, { key: f.key, records: [{ a: 2 }] })
    const { rows } = await ctx.admin.query<{ id: string }>('select id from ingest.data_quality_results where check_id = $1 order by executed_at', [checkId])
    await ctx.admin.query("update ingest.data_quality_results set executed_at = now() - interval '31 days' where id = $1", [rows[0]!.id])
    await runTask(ctx, 'data-quality:cleanup')
    const left = await ctx.admin.query<{ id: string }>('select id from ingest.data_quality_results where check_id = $1', [checkId])
    expect(left.rows.map((row) => row.id)).toEqual([rows[1]!.id])
    expect((await checkRow(checkId)).passed).toBe(true)
  })
})

describe('checks on pipeline runs', () => {
  it('evaluates the run’s mapped rows, records them against the execution, and pauses on failure while the run succeeds', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPolledPipeline(ctx.app, org, api)
    await ctx.admin.query("update ingest.pipelines set next_run_at = now() + interval '1 day' where id = $1", [pipeline.id])
    const f: Fixture = { org, pipelineId: pipeline.id, key: '' }
    // Every fifth price is 'n/a' (stored as null): 20 of 25 rows have one.
    const checkId = await addCheck(f, { name: 'Prices present', checkType: 'completeness', config: { fields: ['price'] }, threshold: 0.9, onFailure: 'pause' })
    const typed = await addCheck(f, { name: 'Types', checkType: 'consistency', config: {} })
    const run = await triggerRun(ctx.app, org, pipeline.id)
    await runJob(ctx, org.id, run.id)
    expect((await executionState(ctx, run.id)).status).toBe('Success')
    const { rows } = await ctx.admin.query(
      'select check_id::text, trigger, passed, execution_id::text, result from ingest.data_quality_results where pipeline_id = $1 order by check_id = $2 desc',
      [pipeline.id, checkId],
    )
    expect(rows).toMatchObject([
      { check_id: checkId, trigger: 'run', passed: false, execution_id: run.id, result: { rows: 25, passedRows: 20, passRatio: 0.8 } },
      { check_id: typed, trigger: 'run', passed: true, execution_id: run.id },
    ])
    const stored = await ctx.admin.query('select count(*)::int as n from ingest.pipeline_data where pipeline_id = $1', [pipeline.id])
    expect(stored.rows[0].n).toBe(25)
    const status = await pipelineRow(pipeline.id)
    expect(status.status).toBe('paused')
    expect(status.status_reason).toContain('"Prices present"')
  })
})
