import { describe, expect, it } from 'vitest'
import { bucketRuns, durationStats, periodFrom, successTrend } from './statistics.ts'

describe(successTrend.name, () => {
  it('shows an improving rate as an up arrow with the change in points', () => {
    expect(successTrend({ successRate: 90, previousSuccessRate: 75, trendDirection: 'improving' }, 'Last 7 days')).toEqual({
      direction: 'improving',
      delta: 15,
      arrow: '↑',
      text: 'Up 15 points from 75% in the previous period',
    })
  })

  it('shows a declining rate as a down arrow with a negative delta', () => {
    expect(successTrend({ successRate: 50, previousSuccessRate: 80, trendDirection: 'declining' }, 'Last 7 days')).toMatchObject({ arrow: '↓', delta: -30 })
  })

  it('says there is nothing to compare with when the previous period had no runs', () => {
    expect(successTrend({ successRate: 100, previousSuccessRate: null, trendDirection: 'unknown' }, 'Last 7 days')).toMatchObject({
      arrow: '',
      delta: null,
      text: 'No runs in the previous 7 days to compare with',
    })
  })
})

describe(bucketRuns.name, () => {
  const now = new Date(2024, 4, 10, 15, 30).getTime()
  const run = (status: 'Success' | 'Failed' | 'Timeout' | 'Cancelled' | 'InProgress', date: Date) => ({ status, startedAt: date.toISOString(), createdAt: date.toISOString() })

  it('counts a week of runs per local day, by how they ended, keeping empty days', () => {
    const buckets = bucketRuns(
      [
        run('Success', new Date(2024, 4, 10, 9)),
        run('Failed', new Date(2024, 4, 10, 10)),
        run('Timeout', new Date(2024, 4, 8, 23, 59)),
        run('Cancelled', new Date(2024, 4, 4, 0, 1)),
        run('Success', new Date(2024, 3, 30)),
      ],
      periodFrom('7d'),
      now,
    )
    expect(buckets).toHaveLength(7)
    expect(buckets[0]!.start).toBe(new Date(2024, 4, 4).getTime())
    expect(buckets[6]).toMatchObject({ total: 2, success: 1, failed: 1 })
    expect(buckets[4]).toMatchObject({ total: 1, failed: 1 })
    expect(buckets[0]).toMatchObject({ total: 1, cancelled: 1 })
    expect(buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(4)
  })

  it('counts 24 hours per hour', () => {
    const buckets = bucketRuns([run('InProgress', new Date(2024, 4, 10, 15, 5))], periodFrom('24h'), now)
    expect(buckets).toHaveLength(24)
    expect(buckets[23]).toMatchObject({ total: 1, other: 1 })
  })
})

describe(durationStats.name, () => {
  it('finds the fastest, slowest, mean and median of the finished runs', () => {
    const finished = (durationMinutes: number) => ({ durationMinutes, completedAt: 'x' })
    expect(durationStats([finished(2), finished(0.5), finished(1), finished(4), { durationMinutes: null, completedAt: null }])).toEqual({ min: 0.5, max: 4, avg: 1.875, median: 1.5 })
    expect(durationStats([finished(3)])).toMatchObject({ median: 3 })
    expect(durationStats([])).toBeNull()
  })
})
