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

interface BackupList {
  directory: string
  schedule: { enabled: boolean; frequencyHours: number; retentionCount: number }
  backups: StoredBackup[]
}

const METHOD_LABELS: Record<'copy' | 'pg_dump', string> = { copy: 'COPY export', pg_dump: 'pg_dump' }

function scheduleText(schedule: BackupList['schedule']): string {
  if (!schedule.enabled) return 'Scheduled backups are off (setting backup.enabled).'
  const every = schedule.frequencyHours === 1 ? 'every hour' : `every ${schedule.frequencyHours} hours`
  return `The worker writes a backup ${every} (backup_frequency_hours) and keeps the newest ${schedule.retentionCount} (backup.retention_count).`
}

export function PageBackups() {
  const state = useApi<BackupList>('/admin/backups')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const [written, setWritten] = useState<string | undefined>()

  const backUpNow = async () => {
    setBusy(true)
    setError(undefined)
    setWritten(undefined)
    try {
      const result = await api.post<{ backup: StoredBackup; deleted: string[] }>('/admin/backups')
      setWritten(`${result.backup.name} written${result.deleted.length ? `; ${result.deleted.length} older backup${result.deleted.length === 1 ? '' : 's'} deleted` : ''}.`)
      state.reload()
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setBusy(false)
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
            <Button variant="primary" onClick={() => void backUpNow()} busy={busy} busyLabel="Backing up…">Back up now</Button>
          </>
        }
      />
      <div className="stack stack--roomy">
        {error ? <Alert title="The backup was not written">{error}</Alert> : null}
        {written ? <Alert tone="success">{written}</Alert> : null}
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
