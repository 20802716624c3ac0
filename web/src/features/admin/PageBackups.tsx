import { useState } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { StatusBadge } from '../../components/StatusBadge.tsx'
import { API_BASE, api, errorMessage } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { usePolling } from '../runs/usePolling.ts'
import { formatBytes } from './PageStorage.tsx'

/** GET /admin/backups (src/modules/backup/backup.schema.ts). */
interface StoredBackup {
  name: string
  bytes: number
  createdAt: string
  method: 'copy' | 'pg_dump' | null
  migrationLevel: string | null
  tables: number | null
  rows: number | null
  error: string | null
}

/** "Back up now" runs in the worker: queued, running, and how the latest one ended. */
interface ManualBackup {
  status: 'idle' | 'queued' | 'running'
  jobId: string | null
  queuedAt: string | null
  startedAt: string | null
  lastRun: { outcome: 'succeeded' | 'failed'; startedAt: string; finishedAt: string; backup: string | null; error: string | null } | null
}

interface BackupList {
  directory: string
  manual: ManualBackup
  schedule: { enabled: boolean; frequencyHours: number; retentionCount: number }
  backups: StoredBackup[]
}

/** How often the page asks whether a queued or running backup is done. */
const POLL_MS = 2_000

const METHOD_LABELS: Record<'copy' | 'pg_dump', string> = { copy: 'COPY export', pg_dump: 'pg_dump' }

function scheduleText(schedule: BackupList['schedule']): string {
  if (!schedule.enabled) return 'Scheduled backups are off (setting backup.enabled).'
  const every = schedule.frequencyHours === 1 ? 'every hour' : `every ${schedule.frequencyHours} hours`
  return `The worker writes a backup ${every} (backup_frequency_hours) and keeps the newest ${schedule.retentionCount} (backup.retention_count).`
}

export function PageBackups() {
  const state = useApi<BackupList>('/admin/backups')
  const [queueing, setQueueing] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const manual = state.data?.manual
  const pending = manual !== undefined && manual.status !== 'idle'
  usePolling(pending, POLL_MS, state.reload)

  const backUpNow = async () => {
    setQueueing(true)
    setError(undefined)
    try {
      await api.post<{ jobId: string; status: 'queued' }>('/admin/backups')
      state.reload()
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setQueueing(false)
    }
  }

  return (
    <div className="page">
      <PageHeader
        title="Backups"
        description="Consistent backups of the whole database (one snapshot, with a manifest of row counts and checksums). Restore one with tessera restore <file>; see docs/backup.md."
        actions={
          <>
            <Button variant="secondary" onClick={state.reload}>Refresh</Button>
            <Button variant="primary" onClick={() => void backUpNow()} busy={queueing || pending} busyLabel="Backing up…">Back up now</Button>
          </>
        }
      />
      <div className="stack stack--roomy">
        {error ? <Alert title="The backup was not started">{error}</Alert> : null}
        {manual ? <ManualBackupStatus manual={manual} /> : null}
        <Loader state={state} label="Loading backups…">
          {(data) => (
            <section className="card">
              <h2>Backup directory</h2>
              <p className="muted">
                {scheduleText(data.schedule)} Files are in <code>{data.directory}</code>.
              </p>
              <DataTable
                rows={data.backups}
                rowKey={(b) => b.name}
                empty={
                  <EmptyState title="No backups yet">
                    Press “Back up now”, or wait for the worker’s scheduled backup (tessera start or tessera worker must be running).
                  </EmptyState>
                }
                columns={[
                  { header: 'Created', cell: (b) => formatDateTime(b.createdAt) },
                  { header: 'File', cell: (b) => <code>{b.name}</code> },
                  { header: 'Size', cell: (b) => formatBytes(b.bytes) },
                  { header: 'Method', cell: (b) => (b.method ? METHOD_LABELS[b.method] : '—') },
                  { header: 'Migration level', cell: (b) => b.migrationLevel ?? '—' },
                  { header: 'Rows', cell: (b) => (b.error ? <><StatusBadge label="Unreadable" tone="danger" /> {b.error}</> : `${(b.rows ?? 0).toLocaleString()} in ${b.tables ?? 0} tables`) },
                  {
                    header: '',
                    cell: (b) => (
                      <a className="btn btn--secondary btn--small" href={`${API_BASE}/admin/backups/${encodeURIComponent(b.name)}`} download={b.name}>
                        Download
                      </a>
                    ),
                  },
                ]}
              />
            </section>
          )}
        </Loader>
      </div>
    </div>
  )
}

/** Where the latest "Back up now" stands: waiting for the worker, being written, written, or why it failed. */
function ManualBackupStatus({ manual }: { manual: ManualBackup }) {
  if (manual.status === 'queued') {
    return <Alert tone="info" title="Backing up…">Queued at {formatDateTime(manual.queuedAt)}; the worker (tessera start or tessera worker) writes it in the background. You may leave this page.</Alert>
  }
  if (manual.status === 'running') {
    return <Alert tone="info" title="Backing up…">Writing the backup since {formatDateTime(manual.startedAt)}. A big database takes minutes; it shows in the list when it is done.</Alert>
  }
  const last = manual.lastRun
  if (!last) return null
  if (last.outcome === 'failed') {
    return <Alert title="The last backup was not written">{`Started ${formatDateTime(last.startedAt)}: ${last.error ?? 'unknown error'}`}</Alert>
  }
  return <Alert tone="success">{`Last “Back up now”: ${last.backup ?? 'the backup'} written at ${formatDateTime(last.finishedAt)}.`}</Alert>
}
