import { makeWorkerUtils } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { waitFor } from '../../../test/child-worker.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { startJobRunner } from '../jobs/jobs.runner.ts'

/**
 * Failed background jobs land in telemetry.error_logs: a real graphile-worker runner runs a
 * task that throws, and a real maintenance job (analytics:refresh-views, recorded in
 * ops.maintenance_runs) whose SQL function has been renamed away.
 */

let ctx: TestContext
let org: OrgFixture
let runner: Awaited<ReturnType<typeof startJobRunner>>

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  runner = await startJobRunner(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }), {
    pollIntervalMs: 100,
    tasks: {
      'test:import-ledger': async (payload) => {
        const { batch } = payload as { batch: number }
        throw new Error(`Ledger import failed at batch ${batch}: upstream answered 502`)
      },
    },
  })
})
afterAll(async () => {
  await runner?.stop()
  await ctx.close()
})

async function addJob(task: string, payload: object, maxAttempts: number) {
  const utils = await makeWorkerUtils({ pgPool: ctx.database.pool })
  try {
    return await utils.addJob(task, payload, { maxAttempts })
  } finally {
    await utils.release()
  }
}

async function groupOf(jobName: string) {
  return waitFor(`an error group for ${jobName}`, async () => {
    await ctx.services.errors.flush()
    const { rows } = await ctx.admin.query<{
      organization_id: string | null; level: string; category: string; occurrence_count: number; execution_id: string; message: string; context: Record<string, unknown>
    }>(`select organization_id, level, category, occurrence_count, execution_id, message, context from telemetry.error_logs where context->>'jobName' = $1`, [jobName])
    return rows[0]
  }, 30_000)
}

describe('failed jobs', () => {
  it("records a failed job under its payload's organization, with its job context and the payload's secrets redacted", async () => {
    const job = await addJob('test:import-ledger', { orgId: org.id, batch: 7, password: 'ledger-pw-123', apiToken: 'tok-456' }, 1)
    const group = await groupOf('test:import-ledger')
    expect(group).toMatchObject({ organization_id: org.id, level: 'error', category: 'job', occurrence_count: 1, execution_id: `job:${job.id}` })
    expect(group.message).toBe('Ledger import failed at batch 7: upstream answered 502')
    expect(group.context).toMatchObject({ source: 'job', jobName: 'test:import-ledger', jobId: job.id, attempts: 1, maxAttempts: 1, payload: { batch: 7, password: '[redacted]', apiToken: '[redacted]' } })
    expect(JSON.stringify(group.context)).not.toContain('ledger-pw-123')
  })

  it('groups the failures of another batch (only the number differs) into the same group', async () => {
    await addJob('test:import-ledger', { orgId: org.id, batch: 8 }, 1)
    await waitFor('the second failure to count', async () => {
      const group = await groupOf('test:import-ledger')
      return group.occurrence_count === 2 ? group : undefined
    }, 30_000)
  })

  it('records a failed maintenance run (ops.maintenance_runs) as an instance error', async () => {
    await ctx.admin.query('alter function ops.refresh_analytics_views() rename to refresh_analytics_views_moved')
    try {
      await addJob('analytics:refresh-views', {}, 1)
      const group = await groupOf('analytics:refresh-views')
      expect(group).toMatchObject({ organization_id: null, level: 'error', category: 'database' })
      expect(group.message).toMatch(/refresh_analytics_views\(\) does not exist/)
      const { rows } = await ctx.admin.query(`select outcome from ops.maintenance_runs where job = 'analytics:refresh-views' and outcome = 'failed'`)
      expect(rows.length).toBeGreaterThan(0)
    } finally {
      await ctx.admin.query('alter function ops.refresh_analytics_views_moved() rename to refresh_analytics_views')
    }
  })
})
