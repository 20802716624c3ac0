import { useMemo, useState } from 'react'
import { BarChart } from '../../../components/BarChart.tsx'
import { Button } from '../../../components/Button.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { Loader } from '../../../components/Loading.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { formatBytes, formatCount } from '../../runs/runFormat.ts'
import { fillHours, VOLUME_RANGES, volumeSpan, type HourBucket, type HourlyPoint, type VolumeRange } from '../hourly.ts'

const hour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' })
const longHour = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
const compact = new Intl.NumberFormat(undefined, { notation: 'compact' })
const SERIES = [{ key: 'records', label: 'Records', tone: 'primary' }] as const

/** 24 hours: every 6th hour; 7 days: each local midnight as its weekday. */
function barLabel(bucket: HourBucket, index: number, count: number, range: VolumeRange): string | undefined {
  if (range.hours === 24) {
    return index % 6 === (count - 1) % 6 ? hour.format(bucket.start) : undefined
  }
  return new Date(bucket.start).getHours() === 0 ? weekday.format(bucket.start) : undefined
}

/** Records stored per hour (the hourly rollup) over the last 24 hours or 7 days, with the totals. */
export function HourlyVolume({ orgId, pipelineId }: { orgId: string; pipelineId: string }) {
  const [range, setRange] = useState<VolumeRange>(VOLUME_RANGES[0])
  const [version, setVersion] = useState(0)
  // Fixed when the range is picked (or refreshed), so the request doesn't move on every render.
  const span = useMemo(() => volumeSpan(range, Date.now()), [range, version])
  const state = useApi<{ points: HourlyPoint[]; asOf: string | null }>(`/orgs/${orgId}/pipelines/${pipelineId}/data/hourly`, { from: span.from, to: span.to })

  return (
    <div className="hourly-volume">
      <div className="stats-toolbar">
        <div className="segmented" role="group" aria-label="Volume period">
          {VOLUME_RANGES.map((option) => (
            <button
              key={option.value}
              type="button"
              className={`segmented-option${option.value === range.value ? ' segmented-option--active' : ''}`}
              aria-pressed={option.value === range.value}
              aria-label={option.label}
              onClick={() => setRange(option)}
            >
              {option.short}
            </button>
          ))}
        </div>
        <Button variant="ghost" onClick={() => setVersion((value) => value + 1)}>
          Refresh
        </Button>
      </div>
      <Loader state={state} label="Loading records per hour…">
        {(data) => {
          const buckets = fillHours(data.points, span.start, range.hours)
          const records = buckets.reduce((sum, bucket) => sum + bucket.recordCount, 0)
          const bytes = buckets.reduce((sum, bucket) => sum + bucket.totalBytes, 0)
          return (
            <>
              <p className="hourly-totals">
                <strong>{formatCount(records)}</strong> {records === 1 ? 'record' : 'records'} · <strong>{formatBytes(bytes)}</strong> stored in the {range.label.toLowerCase()}
                <span className="muted small">
                  {' '}
                  · {data.asOf ? <span title={formatDateTime(data.asOf)}>as of {formatRelative(data.asOf)}</span> : 'the hourly rollup has not run yet'}
                </span>
              </p>
              {data.asOf === null && records === 0 ? (
                <EmptyState title="No counts yet">The hourly rollup runs every minute on the worker; the counts appear after its first run.</EmptyState>
              ) : records === 0 ? (
                <EmptyState title={`No records in the ${range.label.toLowerCase()}`}>{range.hours === 24 ? 'Try the last 7 days, or send records to the pipeline.' : 'Send records to the pipeline or run it; counts appear within a minute.'}</EmptyState>
              ) : (
                <BarChart
                  label="Records per hour"
                  series={SERIES}
                  formatMax={(max) => compact.format(max)}
                  bars={buckets.map((bucket, index) => ({
                    key: bucket.start,
                    values: { records: bucket.recordCount },
                    description: `${longHour.format(bucket.start)}: ${formatCount(bucket.recordCount)} ${bucket.recordCount === 1 ? 'record' : 'records'} (${formatBytes(bucket.totalBytes)})`,
                    label: barLabel(bucket, index, buckets.length, range),
                  }))}
                />
              )}
            </>
          )
        }}
      </Loader>
    </div>
  )
}
