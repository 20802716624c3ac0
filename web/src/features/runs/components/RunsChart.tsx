import { BarChart, type BarSeries } from '../../../components/BarChart.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import type { Bucket, Period } from '../statistics.ts'

const hour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' })
const dayOfMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric' })
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' })
const longDay = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' })
const longHour = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' })

const SERIES = [
  { key: 'success', label: 'Succeeded', tone: 'success' },
  { key: 'failed', label: 'Failed or timed out', tone: 'danger' },
  { key: 'cancelled', label: 'Cancelled', tone: 'muted' },
  { key: 'other', label: 'Queued or running', tone: 'primary' },
] as const satisfies BarSeries[]

function describe(bucket: Bucket, hourly: boolean): string {
  const when = (hourly ? longHour : longDay).format(bucket.start)
  if (bucket.total === 0) {
    return `${when}: no runs`
  }
  const parts = SERIES.filter((series) => bucket[series.key] > 0).map((series) => `${bucket[series.key]} ${series.label.toLowerCase()}`)
  return `${when}: ${bucket.total} ${bucket.total === 1 ? 'run' : 'runs'} (${parts.join(', ')})`
}

/** Every nth label, so 24 hours or 30 days stay readable on a phone. */
function labelEvery(count: number): number {
  return count <= 8 ? 1 : count <= 24 ? 6 : 7
}

/** A week's days as weekday over day number; longer spans as "16 Nov"; hours as "14:00". */
function BarLabel({ start, hourly, count }: { start: number; hourly: boolean; count: number }) {
  if (hourly) {
    return <>{hour.format(start)}</>
  }
  if (count <= 8) {
    return (
      <>
        {weekday.format(start)}
        <br />
        {dayOfMonth.format(start)}
      </>
    )
  }
  return <>{dayMonth.format(start)}</>
}

/** Runs per day (per hour for 24 hours), stacked by how they ended; each bar is described for screen readers. */
export function RunsChart({ buckets, period }: { buckets: Bucket[]; period: Period }) {
  const hourly = period.bucketHours === 1
  if (buckets.every((bucket) => bucket.total === 0)) {
    return <EmptyState title={`No runs in the ${period.label.toLowerCase()}`}>Pick a longer period, or start a run from the Runs tab.</EmptyState>
  }
  const every = labelEvery(buckets.length)
  return (
    <BarChart
      label={`Runs per ${hourly ? 'hour' : 'day'}`}
      series={SERIES}
      legend
      bars={buckets.map((bucket, index) => ({
        key: bucket.start,
        values: { success: bucket.success, failed: bucket.failed, cancelled: bucket.cancelled, other: bucket.other },
        description: describe(bucket, hourly),
        label: index % every === (buckets.length - 1) % every ? <BarLabel start={bucket.start} hourly={hourly} count={buckets.length} /> : undefined,
      }))}
    />
  )
}
