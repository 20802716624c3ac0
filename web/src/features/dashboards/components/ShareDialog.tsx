import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { CheckboxField, SelectField } from '../../../components/Field.tsx'
import { CopyField } from '../../../components/CopyField.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { dashboardsApi, type Dashboard } from '../api.ts'
import { resolveRange, type ViewState } from '../viewState.ts'
import { Dialog } from './Dialog.tsx'

const EXPIRIES = [
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '1 day' },
  { value: '604800', label: '7 days' },
  { value: '2592000', label: '30 days' },
]

/**
 * The public link (create, regenerate, revoke; shown once) and signed embed URLs with an
 * expiry and locked filters.
 */
export function ShareDialog({ orgId, dashboard, view, onChanged, onClose }: { orgId: string; dashboard: Dashboard; view: ViewState; onChanged: () => void; onClose: () => void }) {
  const [link, setLink] = useState<string | undefined>(undefined)
  const [allowChanges, setAllowChanges] = useState(false)
  const [busy, setBusy] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [expiry, setExpiry] = useState('86400')
  const [lockFilters, setLockFilters] = useState(true)
  const [lockRange, setLockRange] = useState(false)
  const [embed, setEmbed] = useState<{ url: string; expiresAt: string } | undefined>(undefined)
  const isAdmin = dashboard.permission === 'admin'

  const run = async (name: string, action: () => Promise<void>) => {
    setBusy(name)
    setError(undefined)
    try {
      await action()
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setBusy(undefined)
    }
  }

  const createLink = () => run('link', async () => {
    const created = await dashboardsApi.createPublicLink(orgId, dashboard.id, allowChanges)
    setLink(created.url)
    onChanged()
  })

  return (
    <Dialog title={`Share “${dashboard.name}”`} onClose={onClose} wide>
      {error ? <Alert>{error}</Alert> : null}
      <section className="dash-share-section" aria-labelledby="share-public">
        <h3 id="share-public">Public link</h3>
        {!isAdmin ? <p className="muted">Only admins of this dashboard can create or revoke its public link.</p> : null}
        {link ? (
          <>
            <Alert tone="warning" title="Anyone with this link can view the dashboard">
              <p>No sign-in is needed. This is the only time the full link is shown: copy it now. Revoke it to make the dashboard private again.</p>
            </Alert>
            <CopyField label="Public link" value={link} />
          </>
        ) : dashboard.isPublic ? (
          <p>
            <span className="badge badge--warning">Public</span> A public link is active{dashboard.publicTokenPrefix ? <> (starts with <code className="mono">{dashboard.publicTokenPrefix}</code>)</> : null}. Anyone who has it can view this dashboard.
          </p>
        ) : (
          <p className="muted">The dashboard is private: only members with access can open it.</p>
        )}
        {isAdmin ? (
          <>
            <CheckboxField label="Let viewers change the time range and filters" name="allowViewerChanges" checked={allowChanges} onChange={setAllowChanges} hint={dashboard.isPublic ? 'Changing this makes a new link; the old one stops working.' : 'Otherwise they see the range and filters you saved.'} />
            <div className="inline-actions">
              <Button variant="primary" busy={busy === 'link'} onClick={() => void createLink()}>
                {dashboard.isPublic ? 'Regenerate link' : 'Create public link'}
              </Button>
              {dashboard.isPublic ? (
                <Button variant="danger" busy={busy === 'revoke'} onClick={() => void run('revoke', async () => {
                  await dashboardsApi.revokePublicLink(orgId, dashboard.id)
                  setLink(undefined)
                  onChanged()
                })}>
                  Revoke link
                </Button>
              ) : null}
            </div>
          </>
        ) : null}
      </section>
      <section className="dash-share-section" aria-labelledby="share-embed">
        <h3 id="share-embed">Embed in another site</h3>
        <p className="muted small">A signed URL for an iframe. It expires, and its filters cannot be changed by the viewer.</p>
        <div className="form-grid dash-editor-pair">
          <SelectField label="Expires after" name="expiry" value={expiry} onChange={setExpiry} options={EXPIRIES} />
        </div>
        <CheckboxField label={`Lock the current filters${Object.keys(view.filters).length > 0 ? ` (${Object.entries(view.filters).map(([key, value]) => `${key}=${value}`).join(', ')})` : ' (none)'}`} name="lockFilters" checked={lockFilters} onChange={setLockFilters} />
        <CheckboxField label="Lock the current time range" name="lockRange" checked={lockRange} onChange={setLockRange} />
        <Button variant="secondary" busy={busy === 'embed'} onClick={() => void run('embed', async () => {
          const range = resolveRange(view.range, new Date())
          setEmbed(await dashboardsApi.embedUrl(orgId, dashboard.id, {
            expiresInSeconds: Number(expiry),
            ...(lockFilters ? { filters: view.filters } : {}),
            ...(lockRange ? range : {}),
          }))
        })}>
          Generate embed URL
        </Button>
        {embed ? (
          <>
            <CopyField label="Embed URL" value={embed.url} />
            <CopyField label="HTML" value={`<iframe src="${embed.url}" width="100%" height="600" frameborder="0"></iframe>`} />
            <p className="small muted">Valid until {new Date(embed.expiresAt).toLocaleString()}.</p>
          </>
        ) : null}
      </section>
    </Dialog>
  )
}
