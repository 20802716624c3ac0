import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { LoadError, Spinner } from '../../../components/Loading.tsx'
import { ApiError, errorMessage } from '../../../lib/api.ts'
import { useApi } from '../../../lib/useApi.ts'
import { useAuth } from '../../auth/AuthContext.ts'
import { listOf, type Member } from '../../organizations/api.ts'
import type { Team } from '../../teams/api.ts'
import { dashboardsApi, type Dashboard, type PermissionGrant } from '../api.ts'
import { Dialog } from './Dialog.tsx'
import { PermissionsEditor } from './PermissionsEditor.tsx'
import { bodyOf, entriesFrom, isDirty, saveErrors, selfDemotion, type DraftEntry, type EntryKey } from './permissionsDraft.ts'

/**
 * Who may see and change a dashboard (admin permission on it): the explicit list of members
 * and teams, saved as a whole (PUT), or cleared so every member sees it again (DELETE).
 */
export function PermissionsDialog({ orgId, dashboard, onChanged, onClose }: { orgId: string; dashboard: Dashboard; onChanged: () => void; onClose: () => void }) {
  const permissions = useApi<{ permissions: PermissionGrant[] }>(`/orgs/${orgId}/dashboards/${dashboard.id}/permissions`)
  const members = useApi<unknown>(`/orgs/${orgId}/members`)
  const teams = useApi<unknown>(`/orgs/${orgId}/teams`)
  const failed = [permissions, members, teams].find((state) => state.error !== undefined)
  return (
    <Dialog title={`Permissions for “${dashboard.name}”`} onClose={onClose} wide>
      {failed ? (
        <LoadError error={failed.error} onRetry={() => { permissions.reload(); members.reload(); teams.reload() }} />
      ) : !permissions.data || members.data === undefined || teams.data === undefined ? (
        <Spinner label="Loading who has access…" />
      ) : (
        <PermissionsForm
          orgId={orgId}
          dashboard={dashboard}
          saved={entriesFrom(permissions.data.permissions)}
          members={listOf<Member>(members.data, 'members')}
          teams={listOf<Team>(teams.data, 'teams')}
          onChanged={onChanged}
          onClose={onClose}
        />
      )}
    </Dialog>
  )
}

function PermissionsForm({ orgId, dashboard, saved: initial, members, teams, onChanged, onClose }: {
  orgId: string
  dashboard: Dashboard
  saved: DraftEntry[]
  members: Member[]
  teams: Team[]
  /** The caller's own level may have changed with the list: the page reloads the dashboard. */
  onChanged: () => void
  onClose: () => void
}) {
  const { user } = useAuth()
  const [saved, setSaved] = useState(initial)
  const [draft, setDraft] = useState(initial)
  const [busy, setBusy] = useState(false)
  const [entryErrors, setEntryErrors] = useState<Map<EntryKey, string>>(new Map())
  const [error, setError] = useState<string | undefined>(undefined)
  const [notice, setNotice] = useState<string | undefined>(undefined)
  const dirty = isDirty(saved, draft)
  const me = members.find((member) => member.userId === user?.id)

  const handleChange = (next: DraftEntry[], touched: EntryKey) => {
    setDraft(next)
    setNotice(undefined)
    if (entryErrors.has(touched)) {
      const remaining = new Map(entryErrors)
      remaining.delete(touched)
      setEntryErrors(remaining)
    }
  }

  const save = async () => {
    setBusy(true)
    setError(undefined)
    setNotice(undefined)
    setEntryErrors(new Map())
    const sent = draft
    try {
      const answer = await dashboardsApi.setPermissions(orgId, dashboard.id, bodyOf(sent))
      const stored = entriesFrom(answer.permissions)
      setSaved(stored)
      setDraft(stored)
      onChanged()
      setNotice(stored.length === 0 ? 'Saved. Everyone in the organization can see this dashboard.' : 'Saved. Only those listed (and the people who always have access) can see this dashboard.')
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'validation_failed') {
        const mapped = saveErrors(caught, sent)
        setEntryErrors(mapped.byEntry)
        setError(mapped.general ?? 'Nothing was saved: fix the entries marked below.')
      } else if (caught instanceof ApiError && (caught.status === 403 || caught.status === 404)) {
        // The dialog loaded with admin access, so a refusal now means the change took it away (or the dashboard is gone).
        setError('Nothing was saved: this change would take away your own admin access to the dashboard, or the dashboard was deleted meanwhile. Keep yourself at Admin, or ask an owner of the organization.')
      } else {
        setError(errorMessage(caught))
      }
    } finally {
      setBusy(false)
    }
  }

  const clear = async () => {
    await dashboardsApi.clearPermissions(orgId, dashboard.id)
    onChanged()
    setSaved([])
    setDraft([])
    setEntryErrors(new Map())
    setError(undefined)
    setNotice('Everyone in the organization can see this dashboard again.')
  }

  return (
    <>
      {error ? <Alert className="perm-alert">{error}</Alert> : null}
      {notice ? <Alert tone="success" className="perm-alert">{notice}</Alert> : null}
      <PermissionsEditor
        orgId={orgId}
        entries={draft}
        members={members}
        teams={teams}
        creatorId={dashboard.createdBy}
        currentUserId={user?.id}
        errors={entryErrors}
        onChange={handleChange}
      />
      {selfDemotion(saved, draft, me, dashboard.createdBy) ? (
        <Alert tone="warning" className="perm-alert">You are lowering or removing your own Admin entry. Unless one of your teams keeps you at Admin, you would lose these settings, and saving will be refused.</Alert>
      ) : null}
      <div className="perm-actions">
        <div className="inline-actions">
          <Button variant="primary" busy={busy} busyLabel="Saving…" disabled={!dirty} onClick={() => void save()}>
            Save changes
          </Button>
          <Button variant="ghost" onClick={onClose}>
            {dirty ? 'Cancel' : 'Close'}
          </Button>
          {dirty ? <span className="muted small">Unsaved changes</span> : null}
        </div>
        {saved.length > 0 ? <ConfirmButton label="Make visible to everyone again" confirmLabel="Yes, make it visible to everyone" onConfirm={clear} /> : null}
      </div>
    </>
  )
}
