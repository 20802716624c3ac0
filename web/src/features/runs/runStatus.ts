import type { Tone } from '../../components/StatusBadge.tsx'
import type { Run, RunStatus, Stage, StageStatus, TriggeredBy } from './api.ts'

/** What a run's or stage's status means for the UI: its words, its colour, what can be done with it. */

export const RUN_STATUSES: RunStatus[] = ['Created', 'Queued', 'InProgress', 'Success', 'Failed', 'Cancelling', 'Cancelled', 'Timeout']
const ACTIVE: ReadonlySet<RunStatus> = new Set(['Created', 'Queued', 'InProgress', 'Cancelling'])
const CANCELLABLE: ReadonlySet<RunStatus> = new Set(['Created', 'Queued', 'InProgress'])
const RETRYABLE: ReadonlySet<RunStatus> = new Set(['Failed', 'Timeout', 'Cancelled'])

/** Still going: the page keeps polling until the run leaves these. */
export const isActive = (status: RunStatus) => ACTIVE.has(status)
export const canCancel = (status: RunStatus) => CANCELLABLE.has(status)
export const canRetry = (status: RunStatus) => RETRYABLE.has(status)

const RUN_LABELS: Record<RunStatus, string> = {
  Created: 'Created',
  Queued: 'Queued',
  InProgress: 'Running',
  Success: 'Succeeded',
  Failed: 'Failed',
  Cancelling: 'Cancelling',
  Cancelled: 'Cancelled',
  Timeout: 'Timed out',
}

export function runStatusLabel(status: RunStatus): string {
  return RUN_LABELS[status]
}

export function runStatusTone(status: RunStatus): Tone {
  switch (status) {
    case 'Success':
      return 'success'
    case 'Failed':
    case 'Timeout':
      return 'danger'
    case 'InProgress':
    case 'Cancelling':
      return 'running'
    case 'Created':
    case 'Queued':
      return 'info'
    case 'Cancelled':
      return 'muted'
  }
}

const STAGE_LABELS: Record<StageStatus, string> = {
  Created: 'Waiting',
  InProgress: 'Running',
  Success: 'Done',
  Failed: 'Failed',
  Skipped: 'Skipped',
  Cancelled: 'Cancelled',
  Timeout: 'Timed out',
}

export function stageStatusLabel(status: StageStatus): string {
  return STAGE_LABELS[status]
}

export function stageStatusTone(status: StageStatus): Tone {
  switch (status) {
    case 'Success':
      return 'success'
    case 'Failed':
    case 'Timeout':
      return 'danger'
    case 'InProgress':
      return 'running'
    case 'Created':
    case 'Skipped':
    case 'Cancelled':
      return 'muted'
  }
}

const TRIGGERS: Record<TriggeredBy, string> = { manual: 'Manually', schedule: 'Schedule', api: 'API', webhook: 'Webhook' }

export function triggerLabel(triggeredBy: TriggeredBy): string {
  return TRIGGERS[triggeredBy]
}

/** The four stages every run has, shown as placeholders before the server created their rows. */
export const STAGE_TYPES = ['fetching', 'processing', 'storing', 'sinks'] as const

const STAGE_NAMES: Record<string, string> = { fetching: 'Fetching', processing: 'Processing', storing: 'Storing', sinks: 'Sinks' }

export function stageTitle(stage: Pick<Stage, 'type' | 'name'>): string {
  return STAGE_NAMES[stage.type] ?? stage.name
}

/** A run's duration in seconds: finished runs from their times, running ones up to `now`. */
export function runDurationSeconds(run: Pick<Run, 'startedAt' | 'completedAt' | 'durationMinutes'>, now = Date.now()): number | null {
  if (run.durationMinutes !== null && run.completedAt) {
    return run.durationMinutes * 60
  }
  if (!run.startedAt) {
    return null
  }
  const end = run.completedAt ? new Date(run.completedAt).getTime() : now
  return Math.max(0, (end - new Date(run.startedAt).getTime()) / 1000)
}

export interface StageBar {
  /** Percent of the run's span before the stage started. */
  offset: number
  /** Percent of the run's span the stage took (at least a sliver, so a 3 ms stage is still seen). */
  width: number
  seconds: number | null
}

const MIN_WIDTH = 1.5

/**
 * Places each stage on one time axis, from the first stage's start to the last one's end
 * (or `now` while one still runs), so the bars are proportional to the time each took.
 * Stages that never started get no bar.
 */
export function stageBars(stages: Array<Pick<Stage, 'startedAt' | 'completedAt' | 'durationSeconds' | 'status'>>, now = Date.now()): Array<StageBar | null> {
  const spans = stages.map((stage) => {
    if (!stage.startedAt) {
      return null
    }
    const start = new Date(stage.startedAt).getTime()
    const end = stage.completedAt ? new Date(stage.completedAt).getTime() : stage.status === 'InProgress' ? Math.max(now, start) : start
    return { start, end: Math.max(start, end) }
  })
  const known = spans.filter((span): span is { start: number; end: number } => span !== null)
  if (known.length === 0) {
    return stages.map(() => null)
  }
  const first = Math.min(...known.map((span) => span.start))
  const last = Math.max(...known.map((span) => span.end))
  const total = Math.max(1, last - first)
  return spans.map((span, index) => {
    if (!span) {
      return null
    }
    const offset = ((span.start - first) / total) * 100
    const width = Math.max(MIN_WIDTH, ((span.end - span.start) / total) * 100)
    const stage = stages[index]
    const seconds = stage?.durationSeconds ?? (span.end - span.start) / 1000
    return { offset: Math.min(offset, 100 - MIN_WIDTH), width: Math.min(width, 100 - Math.min(offset, 100 - MIN_WIDTH)), seconds }
  })
}

/** Stages in order, with placeholders for the canonical ones the run has no row for yet. */
export function withPlaceholders(stages: Stage[]): Stage[] {
  const sorted = [...stages].sort((a, b) => a.order - b.order)
  if (sorted.length > 0) {
    return sorted
  }
  return STAGE_TYPES.map((type, index) => ({
    id: `placeholder-${type}`,
    name: type,
    type,
    order: index + 1,
    status: 'Created',
    startedAt: null,
    completedAt: null,
    durationSeconds: null,
    itemsToProcess: 0,
    itemsProcessed: 0,
    itemsSuccessful: 0,
    itemsFailed: 0,
    progressPercentage: 0,
    throughputPerSecond: null,
    output: null,
    errorMessage: null,
    retryCount: 0,
  }))
}
