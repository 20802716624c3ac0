import type { JobHelpers, TaskList } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestContext } from '../../../test/app.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { withOwner } from '../storage/maintenance.ts'
import { exclusiveKinds, withExclusiveRuns } from './exclusive-tasks.ts'
import { RUNS_KEEP_SUCCEEDED_PER_JOB, pruneMaintenanceRuns, reportRunDetails } from './job-runs.ts'
import { JOB_SCHEDULE, buildTasks } from './jobs.tasks.ts'

/** One run at a time per kind across workers, and every run recorded in ops.maintenance_runs. */

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})
beforeEach(async () => {
  await ctx.admin.query('delete from ops.maintenance_runs')
})

const helpers = {} as JobHelpers

interface Run {
  job: string
  outcome: string
  duration_ms: number
  details: Record<string, unknown>
  error: string | null
}

async function runs(job: string): Promise<Run[]> {
  const { rows } = await ctx.admin.query<Run>('select job, outcome, duration_ms, details, error from ops.maintenance_runs where job = $1 order by id', [job])
  return rows
}

/** A task that reports it started, then waits until released. */
function gate() {
  let release!: () => void
  let started!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const running = new Promise<void>((resolve) => (started = resolve))
  return { release, running, task: async () => { started(); await released } }
}

describe('the exclusive wrapper', () => {
  it('runs one of two concurrent invocations of a kind; the other is skipped at once and recorded', async () => {
    const slow = gate()
    let calls = 0
    const tasks = withExclusiveRuns(ctx.testDb.ownerUrl, ['test:sweep'], {
      'test:sweep': async () => {
        calls++
        reportRunDetails({ swept: 3 })
        await slow.task()
      },
    })
    // Two tasks lists stand for two workers: the lock is PostgreSQL's, not this process's.
    const other = withExclusiveRuns(ctx.testDb.ownerUrl, ['test:sweep'], { 'test:sweep': async () => { calls++ } })
    const first = tasks['test:sweep']!({}, helpers)
    await slow.running
    await other['test:sweep']!({}, helpers)
    expect(calls).toBe(1)
    expect(await runs('test:sweep')).toMatchObject([{ outcome: 'skipped', details: { reason: 'another run holds the lock' }, error: null }])

    slow.release()
    await first
    const recorded = await runs('test:sweep')
    expect(recorded.map((r) => r.outcome)).toEqual(['skipped', 'succeeded'])
    expect(recorded[1]!.details).toEqual({ swept: 3 })
    expect(recorded[1]!.duration_ms).toBeGreaterThanOrEqual(0)

    // The lock went with the run: the next one runs.
    await other['test:sweep']!({}, helpers)
    expect(calls).toBe(2)
  })

  it('records a failing run as failed with its error, rethrows it, and releases the lock', async () => {
    let fail = true
    const tasks = withExclusiveRuns(ctx.testDb.ownerUrl, ['test:flaky'], {
      'test:flaky': async () => {
        reportRunDetails({ step: 'load' })
        if (fail) {
          throw new Error('the source is unreachable')
        }
      },
    })
    await expect(tasks['test:flaky']!({}, helpers)).rejects.toThrow('the source is unreachable')
    fail = false
    await tasks['test:flaky']!({}, helpers)
    expect(await runs('test:flaky')).toMatchObject([
      { outcome: 'failed', error: 'the source is unreachable', details: { step: 'load' } },
      { outcome: 'succeeded', error: null },
    ])
  })

  it('makes kinds of one lock group wait for each other instead of skipping', async () => {
    const events: string[] = []
    const compress = gate()
    const tasks: TaskList = withExclusiveRuns(ctx.testDb.ownerUrl, ['ts:compress', 'ops:retention'], {
      'ts:compress': async () => {
        events.push('compress started')
        await compress.task()
        events.push('compress ended')
      },
      'ops:retention': async () => {
        events.push('retention started')
      },
    })
    const first = tasks['ts:compress']!({}, helpers)
    await compress.running
    const second = tasks['ops:retention']!({}, helpers)
    // Give the second run every chance to start early if the group lock did not hold it.
    await ctx.admin.query('select pg_sleep(0.2)')
    expect(events).toEqual(['compress started'])
    compress.release()
    await Promise.all([first, second])
    expect(events).toEqual(['compress started', 'compress ended', 'retention started'])
    expect((await runs('ops:retention')).map((r) => r.outcome)).toEqual(['succeeded'])
  })

  it('wraps every scheduled kind except the parallel sweepers, and never per-execution kinds', () => {
    const kinds = exclusiveKinds(JOB_SCHEDULE)
    expect(kinds).toEqual(expect.arrayContaining([
      'auth:cleanup', 'partitions:maintain', 'ts:rollup', 'pipeline-data:rollup', 'pipeline-data:retention', 'ingest:idempotency-cleanup',
      'sinks:cleanup', 'data-quality:cleanup', 'metrics:calculate', 'ts:compress', 'ops:retention', 'metrics:idempotency-cleanup', 'ops:runs-cleanup',
    ]))
    expect(kinds).not.toContain('sinks:deliver')
    expect(kinds).not.toContain('mail:deliver')
    expect(kinds).not.toContain('workflows:run')
  })
})

const task = (name: string) => buildTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))[name]!

describe('scheduled tasks through buildTasks', () => {
  it('records a system job with its details', async () => {
    await task('auth:cleanup')({}, helpers)
    const [run] = await runs('auth:cleanup')
    expect(run).toMatchObject({ outcome: 'succeeded', error: null })
    expect(run!.details.deleted).toEqual(expect.any(Object))
  })

  it('records ts:compress once, with its summary: the job guards itself too and must not skip inside the wrapper', async () => {
    await task('ts:compress')({}, helpers)
    const recorded = await runs('ts:compress')
    expect(recorded).toHaveLength(1)
    expect(recorded[0]).toMatchObject({ outcome: 'succeeded', details: { days: expect.any(Number), points: expect.any(Number), detached: expect.any(Array) } })
  })

  it('runs per-execution kinds without the lock or a record', async () => {
    await task('sinks:deliver')({}, helpers)
    expect(await runs('sinks:deliver')).toEqual([])
  })
})

describe('ops:runs-cleanup', () => {
  it('keeps 30 days of runs and at most the newest 1,000 successful runs per job; failures stay their 30 days', async () => {
    const extra = 5
    await ctx.admin.query(
      `insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome)
       select 'test:busy', now() - make_interval(mins => n), now() - make_interval(mins => n), 1, 'succeeded' from generate_series(1, $1) n`,
      [RUNS_KEEP_SUCCEEDED_PER_JOB + extra])
    await ctx.admin.query(
      `insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome, error) values
         ('test:busy', now() - interval '20 days', now() - interval '20 days', 1, 'failed', 'kept: recent failure'),
         ('test:busy', now() - interval '35 days', now() - interval '35 days', 1, 'failed', 'gone: too old'),
         ('test:daily', now() - interval '29 days', now() - interval '29 days', 1, 'succeeded', null),
         ('test:daily', now() - interval '31 days', now() - interval '31 days', 1, 'succeeded', null)`)

    await task('ops:runs-cleanup')({}, helpers)

    const { rows } = await ctx.admin.query<{ job: string; outcome: string; n: number; errors: string[] | null }>(
      `select job, outcome, count(*)::int as n, array_agg(error) filter (where error is not null) as errors
         from ops.maintenance_runs where job like 'test:%' group by 1, 2 order by 1, 2`)
    expect(rows).toEqual([
      { job: 'test:busy', outcome: 'failed', n: 1, errors: ['kept: recent failure'] },
      { job: 'test:busy', outcome: 'succeeded', n: RUNS_KEEP_SUCCEEDED_PER_JOB, errors: null },
      { job: 'test:daily', outcome: 'succeeded', n: 1, errors: null },
    ])
    // The newest runs are the ones kept.
    const { rows: [oldest] } = await ctx.admin.query<{ mins: number }>(
      "select round(extract(epoch from now() - min(started_at)) / 60)::int as mins from ops.maintenance_runs where job = 'test:busy' and outcome = 'succeeded'")
    expect(oldest!.mins).toBe(RUNS_KEEP_SUCCEEDED_PER_JOB)
    const [run] = await runs('ops:runs-cleanup')
    expect(run).toMatchObject({ outcome: 'succeeded', details: { deleted: extra + 2 } })
    // Idempotent: nothing more to delete.
    expect(await withOwner(ctx.testDb.ownerUrl, (client) => pruneMaintenanceRuns(client))).toBe(0)
  })
})
