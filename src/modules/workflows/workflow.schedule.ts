import { parseCronItem, type CronMatcher } from 'graphile-worker'

/** When polling pipelines run next: every interval_seconds, or on a five-field cron schedule (UTC). */

const MINUTE_MS = 60_000
/** A schedule that matches nothing within a leap year's worth of minutes never matches. */
const SEARCH_LIMIT_MINUTES = 366 * 24 * 60

/** graphile-worker's cron matcher for a five-field expression, or undefined when it is not one. */
export function parseCron(expression: string): CronMatcher | undefined {
  try {
    return parseCronItem({ task: 'workflows:run', match: expression.trim() }).match
  } catch {
    return undefined
  }
}

/** The first minute strictly after `after` that the cron expression matches (UTC), or null. */
export function nextCronRun(expression: string, after: Date): Date | null {
  const match = parseCron(expression)
  if (!match) {
    return null
  }
  let t = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS
  for (let i = 0; i < SEARCH_LIMIT_MINUTES; i++, t += MINUTE_MS) {
    const d = new Date(t)
    if (match({ min: d.getUTCMinutes(), hour: d.getUTCHours(), date: d.getUTCDate(), month: d.getUTCMonth() + 1, dow: d.getUTCDay() })) {
      return d
    }
  }
  return null
}

/**
 * When a polling pipeline is due after a run was scheduled at `now`: the cron schedule wins
 * over the interval when both are set. null: the schedule can never fire again.
 */
export function nextPipelineRun(pipeline: { interval_seconds: number | null; cron_schedule: string | null }, now: Date): Date | null {
  if (pipeline.cron_schedule) {
    return nextCronRun(pipeline.cron_schedule, now)
  }
  if (pipeline.interval_seconds) {
    return new Date(now.getTime() + pipeline.interval_seconds * 1000)
  }
  return null
}
