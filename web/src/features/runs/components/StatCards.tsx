import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import type { Statistics } from '../api.ts'
import { formatCount, formatMinutes, formatPercent } from '../runFormat.ts'
import { successTrend, type DurationStats, type Period } from '../statistics.ts'
import { StatCard } from '../../../components/StatCard.tsx'

/** The success rate with its trend against the previous period: an arrow, the change in points, the earlier rate. */
function TrendDetail({ stats, period }: { stats: Statistics; period: Period }) {
  const trend = successTrend(stats, period.label)
  if (trend.direction === 'unknown') {
    return <span className="trend trend--unknown">{trend.text}</span>
  }
  const sign = trend.delta !== null && trend.delta > 0 ? '+' : ''
  return (
    <span className={`trend trend--${trend.direction}`}>
      <span aria-hidden="true">
        {trend.arrow} {sign}
        {trend.delta} pts
      </span>
      <span className="visually-hidden">{trend.text}</span>
      <span className="trend-previous" aria-hidden="true">
        {' '}
        vs {formatPercent(stats.previousSuccessRate)} before
      </span>
    </span>
  )
}

/**
 * Seed 004's get_workflow_statistics as cards; `durations`, from the runs list, adds the fastest
 * and slowest run and sharpens the mean and median, which the function rounds to 0.01 minute.
 */
export function StatCards({ stats, period, durations }: { stats: Statistics; period: Period; durations: DurationStats | null }) {
  return (
    <dl className="stat-cards">
      <StatCard label="Success rate" className="stat-card--wide" value={formatPercent(stats.successRate, 'No runs')} detail={<TrendDetail stats={stats} period={period} />} />
      <StatCard label="Runs" value={formatCount(stats.totalExecutions)} detail={`started in the ${period.label.toLowerCase()}`} />
      <StatCard label="Succeeded" value={formatCount(stats.successfulExecutions)} />
      <StatCard label="Failed" value={formatCount(stats.failedExecutions)} detail="including timeouts" className={stats.failedExecutions > 0 ? 'stat-card--danger' : undefined} />
      <StatCard label="Average duration" value={formatMinutes(durations?.avg ?? stats.avgDurationMinutes)} />
      <StatCard label="Median duration" value={formatMinutes(durations?.median ?? stats.medianDurationMinutes)} />
      <StatCard label="Fastest run" value={formatMinutes(durations?.min)} />
      <StatCard label="Slowest run" value={formatMinutes(durations?.max)} />
      <StatCard label="Records processed" value={formatCount(stats.totalContentProcessed)} />
      <StatCard label="Records per run" value={formatCount(stats.avgContentPerExecution)} detail="on average" />
      <StatCard
        className="stat-card--text"
        label="Last run"
        value={stats.lastExecutionDate ? formatRelative(stats.lastExecutionDate) : 'Never'}
        detail={stats.lastExecutionDate ? formatDateTime(stats.lastExecutionDate) : undefined}
      />
    </dl>
  )
}
