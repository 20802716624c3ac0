import type { ApiError } from '../../../lib/api.ts'
import type { Member } from '../../organizations/api.ts'
import type { Team } from '../../teams/api.ts'
import type { Permission, PermissionGrant } from '../api.ts'

/**
 * The permissions dialog's state, kept pure so it can be tested without a browser: the
 * entries being edited (one per user or team), what the add picker offers, who always has
 * access whatever the list says (docs/permissions.md, "Dashboards"), and where the server's
 * validation errors belong.
 */

export interface DraftEntry {
  kind: 'user' | 'team'
  id: string
  permission: Permission
}

/** "user:<id>" or "team:<id>": stable across edits, unlike the entry's position. */
export type EntryKey = `${DraftEntry['kind']}:${string}`

export const PERMISSION_OPTIONS: Array<{ value: Permission; label: string; description: string }> = [
  { value: 'view', label: 'Can view', description: 'opens the dashboard' },
  { value: 'edit', label: 'Can edit', description: 'also changes its widgets and settings' },
  { value: 'admin', label: 'Admin', description: 'also shares, deletes it and manages who has access' },
]

export const keyOf = (entry: Pick<DraftEntry, 'kind' | 'id'>): EntryKey => `${entry.kind}:${entry.id}`

export function parseKey(key: string): Pick<DraftEntry, 'kind' | 'id'> | undefined {
  const match = /^(user|team):(.+)$/.exec(key)
  return match ? { kind: match[1] as DraftEntry['kind'], id: match[2]! } : undefined
}

export function entriesFrom(grants: PermissionGrant[]): DraftEntry[] {
  return grants.flatMap((grant): DraftEntry[] => {
    if (grant.userId) return [{ kind: 'user', id: grant.userId, permission: grant.permission }]
    if (grant.teamId) return [{ kind: 'team', id: grant.teamId, permission: grant.permission }]
    return []
  })
}

/** Adds the user or team at the end, or changes its level when it is listed already. */
export function withEntry(entries: DraftEntry[], entry: DraftEntry): DraftEntry[] {
  const key = keyOf(entry)
  return entries.some((current) => keyOf(current) === key)
    ? withPermission(entries, key, entry.permission)
    : [...entries, entry]
}

export function withPermission(entries: DraftEntry[], key: EntryKey, permission: Permission): DraftEntry[] {
  return entries.map((entry) => (keyOf(entry) === key ? { ...entry, permission } : entry))
}

export function withoutEntry(entries: DraftEntry[], key: EntryKey): DraftEntry[] {
  return entries.filter((entry) => keyOf(entry) !== key)
}

/** The PUT body; its order is the entries' order, which is how the server's errors point back at them. */
export function bodyOf(entries: DraftEntry[]): Array<{ userId: string; permission: Permission } | { teamId: string; permission: Permission }> {
  return entries.map((entry) => (entry.kind === 'user' ? { userId: entry.id, permission: entry.permission } : { teamId: entry.id, permission: entry.permission }))
}

/** Whether saving would change anything (the order of entries does not matter to the server). */
export function isDirty(saved: DraftEntry[], draft: DraftEntry[]): boolean {
  const canonical = (entries: DraftEntry[]) => entries.map((entry) => `${keyOf(entry)}=${entry.permission}`).sort().join('|')
  return canonical(saved) !== canonical(draft)
}

/** Owners and admins of the organization: they always have admin on every dashboard. */
export const isManager = (member: Pick<Member, 'role'>) => member.role === 'owner' || member.role === 'admin'

export interface AlwaysOn {
  managers: Member[]
  /** The dashboard's creator, when they are a member who is not already an owner or admin. */
  creator: Member | undefined
}

export function alwaysOnAccess(members: Member[], creatorId: string | null): AlwaysOn {
  const active = members.filter((member) => member.status === 'active')
  const creator = active.find((member) => member.userId === creatorId)
  return { managers: active.filter(isManager), creator: creator && !isManager(creator) ? creator : undefined }
}

export interface Candidates {
  members: Member[]
  teams: Team[]
}

/**
 * What the add picker offers: active members who don't always have access (owners, admins,
 * the creator) and aren't listed yet, and the teams not listed yet. Only active members can
 * be granted anything (the server checks the same).
 */
export function candidatesFor(members: Member[], teams: Team[], entries: DraftEntry[], creatorId: string | null): Candidates {
  const listed = new Set(entries.map(keyOf))
  return {
    members: members
      .filter((member) => member.status === 'active' && !isManager(member) && member.userId !== creatorId && !listed.has(keyOf({ kind: 'user', id: member.userId })))
      .sort((a, b) => a.name.localeCompare(b.name)),
    teams: teams.filter((team) => !listed.has(keyOf({ kind: 'team', id: team.id }))).sort((a, b) => a.name.localeCompare(b.name)),
  }
}

export interface EntryLabel {
  name: string
  detail: string
  /** A note when the grant will not work as chosen (an organization viewer never gets more than view). */
  warning?: string
}

export function describeEntry(entry: DraftEntry, members: Member[], teams: Team[]): EntryLabel {
  if (entry.kind === 'team') {
    const team = teams.find((candidate) => candidate.id === entry.id)
    if (!team) return { name: 'A deleted team', detail: 'Team' }
    return { name: team.name, detail: `Team · ${team.memberCount} ${team.memberCount === 1 ? 'member' : 'members'}` }
  }
  const member = members.find((candidate) => candidate.userId === entry.id)
  if (!member) return { name: 'A former member', detail: 'No longer in the organization' }
  const detail = member.status === 'active' ? member.email : `${member.email} · ${member.status}`
  if (member.role === 'viewer' && entry.permission !== 'view') {
    return { name: member.name, detail, warning: 'A viewer of the organization can only view, whatever is granted here.' }
  }
  return { name: member.name, detail }
}

/**
 * A member whose admin access comes only from their own entry loses it when that entry goes
 * below admin; the server then refuses the whole change. Say so before they try.
 */
export function selfDemotion(saved: DraftEntry[], draft: DraftEntry[], me: Member | undefined, creatorId: string | null): boolean {
  if (!me || isManager(me) || me.userId === creatorId) return false
  const mine = (entries: DraftEntry[]) => entries.find((entry) => entry.kind === 'user' && entry.id === me.userId)?.permission
  return mine(saved) === 'admin' && mine(draft) !== 'admin'
}

export interface SaveErrors {
  /** Messages that belong to one entry, shown next to it. */
  byEntry: Map<EntryKey, string>
  /** Anything else, shown above the list. */
  general: string | undefined
}

/**
 * Puts the server's validation errors next to the entry they name. The service reports
 * "permissions/2", schema validation "body.permissions.2.userId"; both point at the body's
 * index, which is the entry's index in the list that was sent.
 */
export function saveErrors(error: ApiError, sent: DraftEntry[]): SaveErrors {
  const byEntry = new Map<EntryKey, string>()
  for (const detail of error.details) {
    const index = /(?:^|[./])permissions[./](\d+)/.exec(detail.field)?.[1]
    const entry = index === undefined ? undefined : sent[Number(index)]
    if (entry && !byEntry.has(keyOf(entry))) byEntry.set(keyOf(entry), readable(detail.message, entry))
  }
  return { byEntry, general: byEntry.size > 0 ? undefined : error.message }
}

/** "userId is not a member of the organization" reads as "This person is not a member of the organization". */
function readable(message: string, entry: DraftEntry): string {
  return message.replace(/^(userId|teamId)\b/, entry.kind === 'user' ? 'This person' : 'This team')
}
