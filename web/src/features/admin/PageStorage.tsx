import { Button } from '../../components/Button.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'

/** GET /admin/storage (src/modules/storage/storage.schema.ts). */
export interface StorageOverview {
  partitions: Array<{ table: string; partition: string; rangeStart: string; rangeEnd: string; granularity: string; state: string; totalBytes: number | null; rowsEstimate: number | null }>
  segments: Array<{ day: string; series: number; points: number; compressedBytes: number; ratio: number }>
  retentionPolicies: Array<{ tableName: string; relation: string | null; retentionDays: number; archiveBeforeDelete: boolean; cleanupEnabled: boolean; lastCleanup: string | null; lastCleanupCount: number; lastCleanupDurationMs: number | null; tableExists: boolean }>
  runs: Array<{ id: number; job: string; startedAt: string; durationMs: number; outcome: string; error: string | null }>
  rollup?: { watermark: string | null; lagSeconds: number | null }
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

const range = (start: string, granularity: string) => (granularity === 'month' ? start.slice(0, 7) : start.slice(0, 10))

export function PageStorage() {
  const state = useApi<StorageOverview>('/admin/storage')
  return (
    <div className="page">
      <PageHeader
        title="Storage"
        description="Time partitions, compressed days, retention policies and the maintenance jobs that keep them (ts:compress, ops:retention)."
        actions={<Button variant="secondary" onClick={state.reload}>Refresh</Button>}
      />
      <Loader state={state} label="Loading storage…">
        {(data) => (
          <>
            {data.rollup && (
              <section className="card">
                <h2>Rollups</h2>
                <p>Watermark {formatDateTime(data.rollup.watermark, 'not started')}{data.rollup.lagSeconds !== null && ` — lag ${Math.round(data.rollup.lagSeconds)} s`}</p>
              </section>
            )}
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
              <h2>Recent maintenance runs</h2>
              <DataTable
                compact
                rows={data.runs}
                rowKey={(r) => r.id}
                empty={<EmptyState title="No runs yet">ts:compress and ops:retention run daily.</EmptyState>}
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
