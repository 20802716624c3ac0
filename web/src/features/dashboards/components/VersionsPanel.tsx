import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { Loader } from '../../../components/Loading.tsx'
import { ApiError, errorMessage } from '../../../lib/api.ts'
import { formatDateTime } from '../../../lib/format.ts'
import { useApi } from '../../../lib/useApi.ts'
import { dashboardsApi, type VersionDetail, type VersionSummary } from '../api.ts'
import { describeDiff } from '../versionDiff.ts'
import { Dialog } from './Dialog.tsx'

/** Every save is a version: the list, a readable diff of the one selected, and Restore. */
export function VersionsPanel({ orgId, dashboardId, canRestore, onRestored, onClose }: {
  orgId: string
  dashboardId: string
  canRestore: boolean
  onRestored: () => void
  onClose: () => void
}) {
  const versions = useApi<{ versions: VersionSummary[]; total: number }>(`/orgs/${orgId}/dashboards/${dashboardId}/versions`, { limit: 50 })
  const [selected, setSelected] = useState<number | undefined>(undefined)
  const detail = useApi<VersionDetail>(selected === undefined ? null : `/orgs/${orgId}/dashboards/${dashboardId}/versions/${selected}`)
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const latest = versions.data?.versions[0]?.version

  const restore = async (version: number) => {
    setBusy(true)
    setError(undefined)
    try {
      await dashboardsApi.restoreVersion(orgId, dashboardId, version)
      onRestored()
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setBusy(false)
      setConfirming(false)
    }
  }

  const unavailable = versions.error instanceof ApiError && (versions.error.status === 404 || versions.error.code === 'route_not_found')
  return (
    <Dialog title="Version history" onClose={onClose} wide>
      {unavailable ? (
        <Alert tone="info" title="Version history is not available">
          <p>This server does not keep dashboard versions yet.</p>
        </Alert>
      ) : (
        <div className="dash-versions">
          <Loader state={versions} label="Loading versions…">
            {(data) =>
              data.versions.length === 0 ? (
                <p className="muted">No versions yet. Every save creates one.</p>
              ) : (
                <ol className="dash-version-list" aria-label="Versions">
                  {data.versions.map((version) => (
                    <li key={version.version}>
                      <button type="button" className={`dash-version${selected === version.version ? ' dash-version--selected' : ''}`} aria-pressed={selected === version.version} onClick={() => { setSelected(version.version); setConfirming(false) }}>
                        <span className="dash-version-number">Version {version.version}{version.version === latest ? ' (current)' : ''}</span>
                        <span className="dash-version-summary">{version.summary ?? 'Saved'}</span>
                        <span className="small muted">
                          {version.author?.name ?? 'Unknown'} · {formatDateTime(version.createdAt)} · {version.widgetCount} {version.widgetCount === 1 ? 'widget' : 'widgets'}
                        </span>
                      </button>
                    </li>
                  ))}
                </ol>
              )
            }
          </Loader>
          <div className="dash-version-detail">
            {selected === undefined ? (
              <p className="muted">Select a version to see what changed in it.</p>
            ) : (
              <Loader state={detail} label="Loading changes…">
                {(version) => (
                  <>
                    <h3>Version {version.version}: what changed</h3>
                    <ul className="dash-diff">
                      {describeDiff(version.diff).map((line, index) => (
                        <li key={index}>{line}</li>
                      ))}
                    </ul>
                    {error ? <Alert>{error}</Alert> : null}
                    {canRestore && version.version !== latest ? (
                      confirming ? (
                        <div className="inline-actions">
                          <span>Restore version {version.version}? The dashboard goes back to it as a new version; nothing is lost.</span>
                          <Button variant="primary" busy={busy} onClick={() => void restore(version.version)}>
                            Confirm restore
                          </Button>
                          <Button variant="ghost" onClick={() => setConfirming(false)}>
                            Cancel
                          </Button>
                        </div>
                      ) : (
                        <Button variant="secondary" onClick={() => setConfirming(true)}>
                          Restore this version
                        </Button>
                      )
                    ) : null}
                  </>
                )}
              </Loader>
            )}
          </div>
        </div>
      )}
    </Dialog>
  )
}
