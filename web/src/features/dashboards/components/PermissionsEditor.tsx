import { useId, useState } from 'react'
import { Link } from 'react-router-dom'
import { Button } from '../../../components/Button.tsx'
import type { Member } from '../../organizations/api.ts'
import type { Team } from '../../teams/api.ts'
import type { Permission } from '../api.ts'
import {
  alwaysOnAccess,
  candidatesFor,
  describeEntry,
  keyOf,
  parseKey,
  PERMISSION_OPTIONS,
  withEntry,
  withoutEntry,
  withPermission,
  type DraftEntry,
  type EntryKey,
} from './permissionsDraft.ts'

/**
 * Who has access to a dashboard and the controls to change it; the dialog around it loads
 * the lists and saves. Every change goes through `onChange` with the entry it touched, so
 * the dialog can drop that entry's stale server error.
 */
export function PermissionsEditor({ orgId, entries, members, teams, creatorId, currentUserId, errors, onChange }: {
  orgId: string
  entries: DraftEntry[]
  members: Member[]
  teams: Team[]
  creatorId: string | null
  currentUserId: string | undefined
  errors: Map<EntryKey, string>
  onChange: (entries: DraftEntry[], touched: EntryKey) => void
}) {
  const id = useId()
  const always = alwaysOnAccess(members, creatorId)
  const you = (userId: string) => (userId === currentUserId ? ' (you)' : '')
  return (
    <>
      <section className="dash-share-section perm-section" aria-labelledby={`${id}-access`}>
        <h3 id={`${id}-access`}>Who can see this dashboard</h3>
        {entries.length === 0 ? (
          <div className="perm-everyone">
            <p className="perm-everyone-title">Everyone in the organization</p>
            <p className="muted small">Every member can open it. Add a member or a team below to restrict it to them.</p>
          </div>
        ) : (
          <>
            <p className="muted small">Only the members and teams listed here, and those below, can see it.</p>
            <ul className="perm-list" aria-label="Members and teams with access">
              {entries.map((entry) => {
                const key = keyOf(entry)
                const label = describeEntry(entry, members, teams)
                const name = `${label.name}${entry.kind === 'user' ? you(entry.id) : ''}`
                const error = errors.get(key)
                const errorId = `${id}-${key}-error`
                return (
                  <li key={key} className={`perm-row${error ? ' perm-row--invalid' : ''}`}>
                    <div className="perm-who">
                      <span className="perm-name">{name}</span>
                      <span className="muted small">{label.detail}</span>
                    </div>
                    <select
                      className="perm-level"
                      aria-label={`Permission for ${label.name}`}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? errorId : undefined}
                      value={entry.permission}
                      onChange={(event) => onChange(withPermission(entries, key, event.target.value as Permission), key)}
                    >
                      {PERMISSION_OPTIONS.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                    <Button variant="ghost" className="btn--danger-text" aria-label={`Remove ${label.name}`} onClick={() => onChange(withoutEntry(entries, key), key)}>
                      Remove
                    </Button>
                    {error ? (
                      <p className="field-error perm-row-note" id={errorId}>
                        {error}
                      </p>
                    ) : null}
                    {label.warning ? <p className="field-hint perm-row-note">{label.warning}</p> : null}
                  </li>
                )
              })}
            </ul>
          </>
        )}
        <div className="muted small perm-always">
          <p>
            <strong>Always have admin access</strong>, whatever the list says:
          </p>
          <ul>
            <li>Organization owners and admins: {always.managers.length > 0 ? always.managers.map((member) => `${member.name}${you(member.userId)}`).join(', ') : 'none active'}</li>
            {always.creator ? <li>Its creator: {always.creator.name}{you(always.creator.userId)}</li> : null}
          </ul>
        </div>
      </section>
      <AddAccess orgId={orgId} entries={entries} members={members} teams={teams} creatorId={creatorId} onChange={onChange} />
    </>
  )
}

/** The picker: one list of members and teams, a level, and Add; says what to do when it has nothing to offer. */
function AddAccess({ orgId, entries, members, teams, creatorId, onChange }: {
  orgId: string
  entries: DraftEntry[]
  members: Member[]
  teams: Team[]
  creatorId: string | null
  onChange: (entries: DraftEntry[], touched: EntryKey) => void
}) {
  const id = useId()
  const [picked, setPicked] = useState('')
  const [permission, setPermission] = useState<Permission>('view')
  const candidates = candidatesFor(members, teams, entries, creatorId)
  const nothing = candidates.members.length === 0 && candidates.teams.length === 0
  const pickedEntry = parseKey(picked)
  const add = () => {
    if (!pickedEntry) return
    const entry: DraftEntry = { ...pickedEntry, permission }
    onChange(withEntry(entries, entry), keyOf(entry))
    setPicked('')
  }
  return (
    <section className="dash-share-section perm-section" aria-labelledby={`${id}-add`}>
      <h3 id={`${id}-add`}>Add a member or team</h3>
      {nothing ? (
        <p className="muted">
          Everyone who can be added is listed already. Invite more people on the <Link to={`/orgs/${orgId}/members`}>Members page</Link>, or group them on the{' '}
          <Link to={`/orgs/${orgId}/teams`}>Teams page</Link>.
        </p>
      ) : (
        <div className="perm-add">
          <div className="field perm-add-who">
            <label htmlFor={`${id}-who`}>Member or team</label>
            <select id={`${id}-who`} value={picked} onChange={(event) => setPicked(event.target.value)}>
              <option value="">Choose a member or team…</option>
              {candidates.members.length > 0 ? (
                <optgroup label="Members">
                  {candidates.members.map((member) => (
                    <option key={member.userId} value={keyOf({ kind: 'user', id: member.userId })}>
                      {member.name} ({member.email}){member.role === 'viewer' ? ' · viewer' : ''}
                    </option>
                  ))}
                </optgroup>
              ) : null}
              {candidates.teams.length > 0 ? (
                <optgroup label="Teams">
                  {candidates.teams.map((team) => (
                    <option key={team.id} value={keyOf({ kind: 'team', id: team.id })}>
                      {team.name} (team, {team.memberCount} {team.memberCount === 1 ? 'member' : 'members'})
                    </option>
                  ))}
                </optgroup>
              ) : null}
            </select>
          </div>
          <div className="field perm-add-level">
            <label htmlFor={`${id}-level`}>Permission</label>
            <select id={`${id}-level`} value={permission} onChange={(event) => setPermission(event.target.value as Permission)}>
              {PERMISSION_OPTIONS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <Button variant="secondary" className="perm-add-button" disabled={!pickedEntry} onClick={add}>
            Add
          </Button>
        </div>
      )}
      {teams.length === 0 ? (
        <p className="muted small">
          No teams yet. To grant a whole group at once, an owner or admin creates a team on the <Link to={`/orgs/${orgId}/teams`}>Teams page</Link>.
        </p>
      ) : null}
      <p className="muted small">
        {PERMISSION_OPTIONS.map((option, index) => (
          <span key={option.value}>
            <strong>{option.label}</strong> {option.description}
            {index < PERMISSION_OPTIONS.length - 1 ? '; ' : '.'}
          </span>
        ))}
      </p>
    </section>
  )
}
