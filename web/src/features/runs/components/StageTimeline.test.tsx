// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Stage } from '../api.ts'
import { withPlaceholders } from '../runStatus.ts'
import { StageTimeline } from './StageTimeline.tsx'

afterEach(cleanup)

const t0 = Date.UTC(2024, 4, 1, 10, 0, 0)
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString()

function stages(overrides: Array<Partial<Stage>>): Stage[] {
  return withPlaceholders([]).map((stage, index) => ({ ...stage, id: `s${index}`, ...overrides[index] }))
}

function stageItem(name: string) {
  return screen.getByRole('listitem', { name })
}

describe('StageTimeline', () => {
  it('lists the four stages in order, waiting, before the run starts', () => {
    render(<StageTimeline stages={[]} />)
    const items = within(screen.getByRole('list', { name: 'Stages' })).getAllByRole('listitem')
    expect(items.map((item) => within(item).getByRole('heading').textContent)).toEqual(['Fetching', 'Processing', 'Storing', 'Sinks'])
    expect(within(stageItem('Fetching')).getByText('Waiting')).toBeTruthy()
    expect(within(stageItem('Sinks')).getByText('not started')).toBeTruthy()
  })

  it('shows each stage’s status, duration and counts, and the failed records in red', () => {
    render(
      <StageTimeline
        now={t0 + 20_000}
        stages={stages([
          { status: 'Success', startedAt: at(0), completedAt: at(1.5), durationSeconds: 1.5, itemsProcessed: 3, itemsSuccessful: 3, throughputPerSecond: 2 },
          { status: 'Success', startedAt: at(1.5), completedAt: at(2), durationSeconds: 0.5, itemsToProcess: 25, itemsProcessed: 25, itemsSuccessful: 20, itemsFailed: 5 },
          { status: 'Failed', startedAt: at(2), completedAt: at(3), durationSeconds: 1, errorMessage: 'disk full' },
          { status: 'Skipped', output: { reason: 'The pipeline has no active sinks', sinks: 0 } },
        ])}
      />,
    )
    const fetching = stageItem('Fetching')
    expect(within(fetching).getByText('Done')).toBeTruthy()
    expect(within(fetching).getByText('1.5 s')).toBeTruthy()
    expect(within(fetching).getByText('2 pages/s')).toBeTruthy()
    const processing = stageItem('Processing')
    expect(within(processing).getByText('500 ms')).toBeTruthy()
    expect(within(processing).getByText('To process').nextSibling?.textContent).toBe('25')
    expect(within(processing).getByText('Failed').closest('.stage-metric')?.className).toContain('stage-metric--danger')
    const storing = stageItem('Storing')
    expect(within(storing).getByText('disk full')).toBeTruthy()
    expect(within(storing).getAllByText('Failed').length).toBeGreaterThan(0)
    expect(within(stageItem('Sinks')).getByText('Skipped')).toBeTruthy()
    expect(within(stageItem('Sinks')).getByText('The pipeline has no active sinks')).toBeTruthy()
  })

  it('shows a progress bar for the running stage when it knows how much is left', () => {
    render(
      <StageTimeline
        now={t0 + 5_000}
        stages={stages([
          { status: 'Success', startedAt: at(0), completedAt: at(1), durationSeconds: 1 },
          { status: 'InProgress', startedAt: at(1), itemsToProcess: 200, itemsProcessed: 50, progressPercentage: 25 },
        ])}
      />,
    )
    const bar = within(stageItem('Processing')).getByRole('progressbar', { name: 'Processing progress' })
    expect(bar.getAttribute('aria-valuenow')).toBe('25')
    expect(within(stageItem('Processing')).getByText('Running')).toBeTruthy()
    expect(within(stageItem('Processing')).getByText('4 s')).toBeTruthy()
  })
})
