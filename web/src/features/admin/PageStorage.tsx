import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { StatusBadge } from '../../components/StatusBadge.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { CachePeriod, StorageOverview } from './api.ts'
import { StatCard } from '../../components/StatCard.tsx'

/** The rollup job runs every minute: five minutes behind means runs are failing or no worker is up. */
export const ROLLUP_LAG_WARNING_SECONDS = 300

const HOUR_MS = 3_600_000

/**
 * How far the rollups are behind what they can cover. They cover closed UTC hours (the current
 * hour is read raw, db/migrations/0150), so an up-to-date watermark is the start of the current
 * hour and now − watermark alone would read as up to an hour behind.
 */
export function rollupLagSeconds(watermark: string | null, now = Date.now()): number | null {
  if (watermark === null) return null
  return Math.max(0, (Math.floor(now / HOUR_MS) * HOUR_MS - Date.parse(watermark)) / 1000)
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) {
    return '—'
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** "45 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) {
    return `${s} s`
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  }
  if (s < 86_400) {
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`
  }
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`
}

export function formatMs(ms: number | null): string {
  return ms === null ? '—' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
}

const PERIOD_LABELS: Record<CachePeriod['period'], string> = { '1h': 'Last hour', '24h': 'Last 24 hours' }
const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`


/** Rollup lag first (it decides whether dashboards read rollups or raw points), then the series query cache. */
function RollupsAndCache({ rollup, cache }: { rollup: StorageOverview['rollup']; cache: StorageOverview['seriesCache'] }) {
  const lag = rollupLagSeconds(rollup?.watermark ?? null)
  const behind = lag !== null && lag > ROLLUP_LAG_WARNING_SECONDS
  const day = cache.periods.find((p) => p.period === '24h')
  const hour = cache.periods.find((p) => p.period === '1h')
  return (
    <>
      {behind ? (
        <Alert tone="warning" title={`Rollups are ${formatDuration(lag)} behind`}>
          The ts:rollup job runs every minute. Check that a worker is running (tessera worker) and the recent runs below; until it catches up, series read more raw points.
        </Alert>
      ) : null}
      <section className="card">
        <h2>Rollups and series cache</h2>
        <dl className="stat-cards">
          {rollup ? (
            <StatCard
              label="Rollup lag"
              value={lag === null ? 'Not started' : formatDuration(lag)}
              detail={
                lag === null ? (
                  'the first ts:rollup run has not finished'
                ) : (
                  <>
                    <StatusBadge label={behind ? 'Behind' : 'Up to date'} tone={behind ? 'warning' : 'success'} /> watermark {formatDateTime(rollup.watermark)}
                  </>
                )
              }
            />
          ) : null}
          <StatCard label="Hit rate, 1 h" value={formatRate(hour?.hitRate ?? null)} detail={hour ? `${plural(hour.hits, 'hit')} · ${plural(hour.misses, 'miss')}` : undefined} />
          <StatCard label="Hit rate, 24 h" value={formatRate(day?.hitRate ?? null)} detail={day ? `${plural(day.hits, 'hit')} · ${plural(day.misses, 'miss')}` : undefined} />
          <StatCard label="Median query, 24 h" value={formatMs(day?.medianMs ?? null)} detail={`p95 ${formatMs(day?.p95Ms ?? null)}`} />
          <StatCard label="Cached entries" value={cache.entries.toLocaleString()} detail={`${cache.liveEntries.toLocaleString()} not expired · ${formatBytes(cache.bytes)}`} />
        </dl>
        <DataTable
          compact
          rows={cache.periods}
          rowKey={(p) => p.period}
          empty={<EmptyState title="No figures">The series query log is empty.</EmptyState>}
          columns={[
            { header: 'Metric series queries', cell: (p) => PERIOD_LABELS[p.period] },
            { header: 'Hits', cell: (p) => p.hits.toLocaleString() },
            { header: 'Misses', cell: (p) => p.misses.toLocaleString() },
            { header: 'Hit rate', cell: (p) => formatRate(p.hitRate) },
            { header: 'Median', cell: (p) => formatMs(p.medianMs) },
            { header: 'p95', cell: (p) => formatMs(p.p95Ms) },
          ]}
        />
        <p className="muted small">All organizations. A hit is an answer served from ts.query_cache; entries expire after a short time, sooner when new points land in their range.</p>
      </section>
    </>
  )
}

const range = (start: string, granularity: string) => (granularity === 'month' ? start.slice(0, 7) : start.slice(0, 10))

export function PageStorage() {
  const state = useApi<StorageOverview>('/admin/storage')
  return (
    <div className="page">
      <PageHeader
        title="Storage"
        description="Rollup lag, the series query cache, time partitions, compressed days, retention policies and the maintenance jobs that keep them (ts:compress, ops:retention)."
        actions={<Button variant="secondary" onClick={state.reload}>Refresh</Button>}
      />
      <Loader state={state} label="Loading storage…">
        {(data) => (
          <>
            <RollupsAndCache rollup={data.rollup} cache={data.seriesCache} />
            <section className="card">
              <h2>Partitions</h2>
              <DataTable
                compact
                rows={data.partitions.filter((p) => p.state !== 'dropped')}
                rowKey={(p) => p.partition}
                empty={<EmptyState title="No partitions">The worker creates them ahead of time (partitions:maintain).</EmptyState>}
                columns={[
                  { header: 'Table', cell: (p) => p.table },
                  { header: 'Range', cell: (p) => range(p.rangeStart, p.granularity) },
                  { header: 'State', cell: (p) => p.state },
                  { header: 'Size', cell: (p) => formatBytes(p.totalBytes) },
                  { header: 'Rows (estimate)', cell: (p) => (p.rowsEstimate === null ? '—' : p.rowsEstimate.toLocaleString()) },
                ]}
              />
            </section>
            <section className="card">
              <h2>Compressed days</h2>
              <DataTable
                compact
                rows={data.segments}
                rowKey={(s) => s.day}
                empty={<EmptyState title="Nothing compressed yet">Days of metric points older than the compression delay (30 days by default) are compressed daily.</EmptyState>}
                columns={[
                  { header: 'Day', cell: (s) => s.day },
                  { header: 'Series', cell: (s) => s.series.toLocaleString() },
                  { header: 'Points', cell: (s) => s.points.toLocaleString() },
                  { header: 'Size', cell: (s) => formatBytes(s.compressedBytes) },
                  { header: 'Ratio', cell: (s) => `${s.ratio}×` },
                ]}
              />
            </section>
            <section className="card">
              <h2>Retention policies</h2>
              <DataTable
                compact
                rows={data.retentionPolicies}
                rowKey={(p) => p.tableName}
                empty={<EmptyState title="No policies">Retention policies live in ops.data_retention_policies.</EmptyState>}
                columns={[
                  { header: 'Table', cell: (p) => `${p.tableName}${p.tableExists ? '' : ' (not present)'}` },
                  { header: 'Keep', cell: (p) => `${p.retentionDays} days` },
                  { header: 'Archive first', cell: (p) => (p.archiveBeforeDelete ? 'yes' : 'no') },
                  { header: 'Enabled', cell: (p) => (p.cleanupEnabled ? 'yes' : 'no') },
                  { header: 'Last cleanup', cell: (p) => formatDateTime(p.lastCleanup, 'never') },
                  { header: 'Removed', cell: (p) => p.lastCleanupCount.toLocaleString() },
                  { header: 'Took', cell: (p) => (p.lastCleanupDurationMs === null ? '—' : `${p.lastCleanupDurationMs} ms`) },
                ]}
              />
            </section>
            <section className="card">
              <h2>Worker jobs</h2>
              <p className="muted">The latest run of each scheduled job, and every failure of the last 7 days.</p>
              <DataTable
                compact
                rows={data.runs}
                rowKey={(r) => r.id}
                empty={<EmptyState title="No runs yet">Scheduled jobs are recorded once a worker runs them (tessera start or tessera worker).</EmptyState>}
                columns={[
                  { header: 'Job', cell: (r) => r.job },
                  { header: 'Started', cell: (r) => formatDateTime(r.startedAt) },
                  { header: 'Duration', cell: (r) => `${r.durationMs} ms` },
                  { header: 'Outcome', cell: (r) => (r.error ? `${r.outcome}: ${r.error}` : r.outcome) },
                ]}
              />
            </section>
          </>
        )}
      </Loader>
    </div>
  )
}
