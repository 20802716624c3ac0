import { dailyCurve, DAY_MS, growth, HOUR_MS, incidents, random, round, ticks, within } from './demo.random.ts'
import type { DemoMetric, DemoPoint, DemoWindow } from './demo.types.ts'

/**
 * Workflow runs and stage durations (seed 004), as metrics pushed through the points API.
 * Tessera's workflow service records runs as they happen (the worker claims a queued run,
 * stamps its stages with the clock and needs a data source to fetch from), so a month of
 * past runs cannot be written through it; the points path takes past timestamps, and these
 * metrics carry what the run history would show: runs by status, run and stage durations,
 * records processed. The payment outage makes the orders import fail; the CRM sync fails
 * every morning at 06:00; the nightly export slows as data grows and starts timing out.
 */

const TAGS = ['demo', 'workflows']

export const WORKFLOW_METRICS: DemoMetric[] = [
  { name: 'workflow.runs', displayName: 'Workflow runs', unit: 'count', aggregationType: 'sum', tags: TAGS, description: 'One point per finished run, by workflow, status and trigger.' },
  { name: 'workflow.run_duration', displayName: 'Run duration', unit: 'seconds', aggregationType: 'avg', tags: TAGS, description: 'Wall time of a run, by workflow and status.' },
  { name: 'workflow.stage_duration', displayName: 'Stage duration', unit: 'seconds', aggregationType: 'avg', tags: TAGS, description: 'Time spent in each stage (fetch, process, store, sink), by workflow and stage.' },
  { name: 'workflow.records_processed', displayName: 'Records processed', unit: 'count', aggregationType: 'sum', tags: TAGS, description: 'Records a run stored, by workflow.' },
]

const STAGES = ['fetch', 'process', 'store', 'sink'] as const

interface WorkflowShape {
  name: string
  everyMs: number
  /** Offset of the schedule inside its interval (the nightly export runs at 02:00 UTC). */
  atMs: number
  /** Seconds per stage for a typical run at the start of the window. */
  stages: Record<(typeof STAGES)[number], number>
  records: number
  timeoutSeconds: number
}

const WORKFLOWS: WorkflowShape[] = [
  { name: 'Orders import', everyMs: 15 * 60_000, atMs: 0, stages: { fetch: 4, process: 6, store: 3, sink: 1.5 }, records: 420, timeoutSeconds: 300 },
  { name: 'CRM sync', everyMs: HOUR_MS, atMs: 5 * 60_000, stages: { fetch: 20, process: 12, store: 6, sink: 3 }, records: 900, timeoutSeconds: 600 },
  { name: 'Inventory refresh', everyMs: 30 * 60_000, atMs: 10 * 60_000, stages: { fetch: 8, process: 25, store: 10, sink: 0.5 }, records: 2500, timeoutSeconds: 600 },
  { name: 'Nightly ERP export', everyMs: DAY_MS, atMs: 2 * HOUR_MS, stages: { fetch: 180, process: 420, store: 240, sink: 60 }, records: 120_000, timeoutSeconds: 1050 },
]

type Status = 'Success' | 'Failed' | 'Timeout' | 'Cancelled'

/** The workflow metrics of the runs that started in [from, to): `scale` times as many runs. */
export function workflowPoints(w: DemoWindow, from: number, to: number): DemoPoint[] {
  const points: DemoPoint[] = []
  const { payments } = incidents(w.end)
  for (const workflow of WORKFLOWS) {
    const every = workflow.everyMs / w.scale
    for (const scheduled of ticks(from - workflow.atMs, to - workflow.atMs, every)) {
      const t = scheduled + workflow.atMs
      const rng = random(w.seed, 'workflow', workflow.name, t)
      // More data every week: the long jobs slow down, the nightly export most.
      const load = growth(t, w.start, workflow.name === 'Nightly ERP export' ? 0.45 : 0.1) * (0.8 + 0.25 * dailyCurve(t, 1))
      const outage = workflow.name === 'Orders import' && within(t, payments)
      const roll = rng.next()
      // The CRM's API quota resets at 06:00 UTC: the sync in that hour is refused every day.
      const quota = workflow.name === 'CRM sync' && new Date(t).getUTCHours() === 6
      let status: Status = outage || quota ? (roll < 0.7 || quota ? 'Failed' : 'Success') : roll < 0.025 ? 'Failed' : roll < 0.032 ? 'Cancelled' : 'Success'
      const durations = STAGES.map((stage) => workflow.stages[stage] * load * rng.noise(0.2))
      let total = durations.reduce((sum, d) => sum + d, 0)
      if (status === 'Success' && total > workflow.timeoutSeconds) {
        status = 'Timeout'
      }
      // A failed run stops in a stage (usually fetch); later stages never run.
      const ranStages = status === 'Success' ? STAGES.length : status === 'Timeout' ? 3 : rng.next() < 0.75 || outage || quota ? 1 : 2
      if (status === 'Timeout') {
        total = workflow.timeoutSeconds
      } else if (status !== 'Success') {
        total = durations.slice(0, ranStages).reduce((sum, d) => sum + d, 0) + (outage ? 30 : 0)
      }
      const trigger = rng.next() < 0.04 ? 'manual' : 'schedule'
      points.push({ metric: 'workflow.runs', timestamp: t, value: 1, dimensions: { workflow: workflow.name, status, trigger } })
      points.push({ metric: 'workflow.run_duration', timestamp: t, value: round(total, 2), dimensions: { workflow: workflow.name, status } })
      STAGES.slice(0, ranStages).forEach((stage, index) => {
        const seconds = index === ranStages - 1 && status === 'Timeout' ? workflow.timeoutSeconds - durations.slice(0, index).reduce((s, d) => s + d, 0) : durations[index]!
        points.push({ metric: 'workflow.stage_duration', timestamp: t, value: round(Math.max(0.05, seconds), 2), dimensions: { workflow: workflow.name, stage, status } })
      })
      const stored = status === 'Success' ? Math.round(workflow.records * growth(t, w.start, 0.1) * rng.noise(0.25)) : 0
      points.push({ metric: 'workflow.records_processed', timestamp: t, value: stored, dimensions: { workflow: workflow.name, status } })
    }
  }
  return points
}
