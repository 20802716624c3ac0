import type { JobHelpers, Task } from 'graphile-worker'
import pg from 'pg'
import pino from 'pino'
import { buildTasks } from '../src/modules/jobs/jobs.tasks.ts'
import type { TestContext } from './app.ts'
import { testRuntime } from './runtime.ts'

/** Runs one worker task handler in-process, the way graphile-worker would (the handlers use no helpers). */
export async function runTask(ctx: TestContext, name: string): Promise<void> {
  const task: Task | undefined = buildTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }))[name]
  if (!task) {
    throw new Error(`no task ${name}`)
  }
  await task({}, {} as JobHelpers)
}

/** Creates daily pipeline_data partitions `days` back (the template only has one day behind), as the owner would. */
export async function ensurePastPartitions(ctx: TestContext, days: number): Promise<void> {
  const owner = new pg.Client({ connectionString: ctx.testDb.ownerUrl })
  await owner.connect()
  try {
    await owner.query("select ops.ensure_partitions('ingest.pipeline_data', 'day', 1, $1)", [days])
  } finally {
    await owner.end()
  }
}
