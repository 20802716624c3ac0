// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Statistics } from '../api.ts'
import { periodFrom } from '../statistics.ts'
import { StatCards } from './StatCards.tsx'

afterEach(cleanup)

const STATS: Statistics = {
  pipelineId: 'p-1',
  workflowId: 'w-1',
  from: '2024-05-01T00:00:00Z',
  to: '2024-05-08T00:00:00Z',
  totalExecutions: 10,
  successfulExecutions: 9,
  failedExecutions: 1,
  successRate: 90,
  previousSuccessRate: 75,
  trendDirection: 'improving',
  avgDurationMinutes: 0.03,
  medianDurationMinutes: 0.02,
  totalContentProcessed: 1200,
  avgContentPerExecution: 120,
  lastExecutionDate: null,
}

function card(label: string): string {
  const term = screen.getByText(label, { selector: 'dt' })
  return term.nextElementSibling?.textContent ?? ''
}

describe('StatCards', () => {
  it('shows the success rate with its trend against the previous period as an arrow and a delta', () => {
    render(<StatCards stats={STATS} period={periodFrom('7d')} durations={null} />)
    expect(card('Success rate')).toContain('90%')
    expect(card('Success rate')).toContain('↑ +15 pts')
    expect(screen.getByText('Up 15 points from 75% in the previous period')).toBeTruthy()
    expect(card('Failed')).toContain('1')
    expect(card('Last run')).toContain('Never')
  })

  it('says when there is nothing to compare with, and prefers the exact durations of the runs', () => {
    render(
      <StatCards
        stats={{ ...STATS, previousSuccessRate: null, trendDirection: 'unknown' }}
        period={periodFrom('24h')}
        durations={{ min: 0.01, max: 0.05, avg: 0.025, median: 0.02 }}
      />,
    )
    expect(card('Success rate')).toContain('No runs in the previous 24 hours to compare with')
    expect(card('Average duration')).toBe('1.5 s')
    expect(card('Fastest run')).toBe('600 ms')
    expect(card('Slowest run')).toBe('3 s')
  })

  it('shows a decline in red words, not only in colour', () => {
    render(<StatCards stats={{ ...STATS, successRate: 50, previousSuccessRate: 80, trendDirection: 'declining' }} period={periodFrom('30d')} durations={null} />)
    expect(card('Success rate')).toContain('↓ -30 pts')
    expect(screen.getByText('Down 30 points from 80% in the previous period')).toBeTruthy()
  })
})
