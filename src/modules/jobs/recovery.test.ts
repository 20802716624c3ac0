import type { ChildProcess } from 'node:child_process'
import { makeWorkerUtils } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestContext } from '../../../test/app.ts'
import { startChildWorker, waitFor } from '../../../test/child-worker.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { startJobRunner } from './jobs.runner.ts'

const TIMEOUT_MS = 60_000

let ctx: TestContext
let child: ChildProcess | undefined

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  child?.kill('SIGKILL')
  await ctx.close()
})

describe('recovery from a killed worker', () => {
  it('unlocks and re-runs a job whose worker was killed with SIGKILL, without waiting 4 hours', async () => {
    const started = await startChildWorker('blocking-worker.ts', ctx.testDb)
    child = started.process

    const utils = await makeWorkerUtils({ pgPool: ctx.database.pool })
    let jobId: string
    try {
      const job = await utils.addJob('test:block', { marker: 'recovery' }, { maxAttempts: 5 })
      jobId = job.id
    } finally {
      await utils.release()
    }

    const locked = await waitFor('the child to lock the job', async () => {
      const { rows } = await ctx.admin.query<{ locked_by: string | null; attempts: number }>('select locked_by, attempts from graphile_worker.jobs where id = $1', [jobId])
      return rows[0]?.locked_by ? rows[0] : undefined
    }, TIMEOUT_MS)
    expect(locked.locked_by).toBe(started.workerId)
    expect(locked.attempts).toBe(1)
    await waitFor('the task to start', async () => (started.output().includes('TEST_EVENT blocking') ? true : undefined), TIMEOUT_MS)

    const exited = new Promise<NodeJS.Signals | null>((resolve) => child?.once('exit', (_code, signal) => resolve(signal)))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    child = undefined

    // Still locked by the dead worker: graphile-worker alone would leave it for 4 hours.
    const stuck = await ctx.admin.query<{ locked_by: string | null }>('select locked_by from graphile_worker.jobs where id = $1', [jobId])
    expect(stuck.rows[0]?.locked_by).toBe(started.workerId)

    let rerunAttempts: number | undefined
    const runner = await startJobRunner(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }), {
      heartbeatMs: 200,
      deadAfterMs: 1_500,
      pollIntervalMs: 200,
      tasks: {
        'test:block': async (_payload, helpers) => {
          rerunAttempts = helpers.job.attempts
        },
      },
    })
    try {
      await waitFor('the job to complete', async () => {
        const { rows } = await ctx.admin.query('select 1 from graphile_worker.jobs where id = $1', [jobId])
        return rows.length === 0 && rerunAttempts !== undefined ? true : undefined
      }, TIMEOUT_MS)
      expect(rerunAttempts).toBe(2)
      const heartbeat = await ctx.admin.query('select 1 from ops.worker_heartbeats where worker_id = $1', [started.workerId])
      expect(heartbeat.rowCount).toBe(0)
    } finally {
      await runner.stop()
    }
  })
})
