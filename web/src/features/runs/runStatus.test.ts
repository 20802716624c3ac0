import { describe, expect, it } from 'vitest'
import type { RunStatus, Stage } from './api.ts'
import { formatBytes, formatDuration } from './runFormat.ts'
import { canCancel, canRetry, isActive, runDurationSeconds, runStatusLabel, runStatusTone, RUN_STATUSES, stageBars, withPlaceholders } from './runStatus.ts'

const at = (seconds: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, 0) + seconds * 1000).toISOString()

describe('run status rules', () => {
  it('offers Cancel only while a run can still be stopped, and Retry only once it failed, timed out or was cancelled', () => {
    const cancellable = RUN_STATUSES.filter(canCancel)
    const retryable = RUN_STATUSES.filter(canRetry)
    expect(cancellable).toEqual(['Created', 'Queued', 'InProgress'])
    expect(retryable).toEqual(['Failed', 'Cancelled', 'Timeout'])
    expect(RUN_STATUSES.filter((status) => canCancel(status) && canRetry(status))).toEqual([])
  })

  it('keeps polling through Cancelling and stops at every ending', () => {
    const active: RunStatus[] = RUN_STATUSES.filter(isActive)
    expect(active).toEqual(['Created', 'Queued', 'InProgress', 'Cancelling'])
  })

  it('names every status in words and colours failures red', () => {
    expect(RUN_STATUSES.map(runStatusLabel)).toEqual(['Created', 'Queued', 'Running', 'Succeeded', 'Failed', 'Cancelling', 'Cancelled', 'Timed out'])
    expect(runStatusTone('Timeout')).toBe('danger')
    expect(runStatusTone('Failed')).toBe('danger')
    expect(runStatusTone('Success')).toBe('success')
    expect(runStatusTone('InProgress')).toBe('running')
  })
})

describe(runDurationSeconds.name, () => {
  it('uses the recorded duration of a finished run and the elapsed time of a running one', () => {
    expect(runDurationSeconds({ startedAt: at(0), completedAt: at(90), durationMinutes: 1.5 })).toBe(90)
    expect(runDurationSeconds({ startedAt: at(0), completedAt: null, durationMinutes: null }, Date.parse(at(42)))).toBe(42)
    expect(runDurationSeconds({ startedAt: null, completedAt: null, durationMinutes: null })).toBeNull()
  })
})

function stage(partial: Partial<Stage>): Stage {
  return { ...withPlaceholders([])[0]!, ...partial }
}

describe(stageBars.name, () => {
  it('places stages on one time axis, proportional to the time each took', () => {
    const bars = stageBars([
      stage({ status: 'Success', startedAt: at(0), completedAt: at(6), durationSeconds: 6 }),
      stage({ status: 'Success', startedAt: at(6), completedAt: at(8), durationSeconds: 2 }),
      stage({ status: 'Success', startedAt: at(8), completedAt: at(10), durationSeconds: 2 }),
      stage({ status: 'Skipped', startedAt: null, completedAt: at(10) }),
    ])
    expect(bars[0]).toMatchObject({ offset: 0, width: 60, seconds: 6 })
    expect(bars[1]).toMatchObject({ offset: 60, width: 20 })
    expect(bars[2]).toMatchObject({ offset: 80, width: 20 })
    expect(bars[3]).toBeNull()
  })

  it('stretches a running stage up to now and keeps a very short stage visible', () => {
    const bars = stageBars(
      [
        stage({ status: 'Success', startedAt: at(0), completedAt: at(0.01), durationSeconds: 0.01 }),
        stage({ status: 'InProgress', startedAt: at(0.01), completedAt: null }),
      ],
      Date.parse(at(100)),
    )
    expect(bars[0]!.width).toBeGreaterThanOrEqual(1.5)
    expect(bars[1]!.offset + bars[1]!.width).toBeLessThanOrEqual(100)
    expect(bars[1]!.seconds).toBeCloseTo(99.99, 1)
  })

  it('draws no bars before any stage started', () => {
    expect(stageBars(withPlaceholders([]))).toEqual([null, null, null, null])
  })
})

describe(withPlaceholders.name, () => {
  it('shows the four stages of a run whose stage rows do not exist yet, and sorts real ones by order', () => {
    expect(withPlaceholders([]).map((s) => s.type)).toEqual(['fetching', 'processing', 'storing', 'sinks'])
    const sorted = withPlaceholders([stage({ id: 'b', order: 2, type: 'processing' }), stage({ id: 'a', order: 1, type: 'fetching' })])
    expect(sorted.map((s) => s.id)).toEqual(['a', 'b'])
  })
})

describe('run formats', () => {
  it('writes durations and sizes the way people read them', () => {
    expect(formatDuration(0.42)).toBe('420 ms')
    expect(formatDuration(245)).toBe('4 min 5 s')
    expect(formatDuration(7380)).toBe('2 h 3 min')
    expect(formatDuration(null)).toBe('—')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
  })
})
