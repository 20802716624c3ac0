import type { TaskList } from 'graphile-worker'
import { exclusiveRun } from './job-runs.ts'

/**
 * Which task kinds run one at a time across workers, recorded in ops.maintenance_runs.
 *
 * graphile-worker's crontab already queues one job per tick across workers, but a run that
 * overruns its tick, the startup run of partitions:maintain, a retry or an operator's "run
 * now" can overlap another run of the same kind. Every kind of the crontab is a sweep over
 * the whole instance (maintenance, rollups, cleanups, calculations), so every one of them is
 * exclusive, including kinds other modules add to the schedule later, except the ones below.
 * Tasks queued per execution (workflows:run, a sink delivery for one organization) are not in
 * the crontab and never wrapped: they are meant to run side by side.
 */
export const PARALLEL_SCHEDULED_KINDS: ReadonlySet<string> = new Set([
  // Sweepers that claim their rows with FOR UPDATE SKIP LOCKED and are also queued per
  // organization (a sink delivery right after a batch): running several at once only spreads
  // the work, and serializing them would hold up delivery behind a slow endpoint.
  'sinks:deliver',
  'mail:deliver',
])

/** The task identifiers of a graphile-worker crontab (sixth field of each non-comment line). */
export function scheduledKinds(crontab: string): string[] {
  return crontab
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/)[5])
    .filter((kind): kind is string => kind !== undefined)
}

/** Kinds of the crontab that are exclusive. */
export function exclusiveKinds(crontab: string): string[] {
  return [...new Set(scheduledKinds(crontab))].filter((kind) => !PARALLEL_SCHEDULED_KINDS.has(kind))
}

/**
 * Wraps the given kinds so that each run takes the kind's lock (a run that finds it taken
 * ends at once, recorded as 'skipped') and is recorded with its duration and outcome. A
 * failure is recorded and rethrown, so graphile-worker still sees it.
 */
export function withExclusiveRuns(ownerUrl: string, kinds: Iterable<string>, tasks: TaskList): TaskList {
  const wrapped: TaskList = { ...tasks }
  for (const kind of kinds) {
    const task = tasks[kind]
    if (!task) {
      continue
    }
    wrapped[kind] = async (payload, helpers) => {
      // Scheduled kinds are not batch jobs: there is no per-item result to pass on.
      await exclusiveRun(ownerUrl, kind, async () => {
        await task(payload, helpers)
      })
    }
  }
  return wrapped
}
