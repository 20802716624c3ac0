import { describe, expect, it } from 'vitest'
import { parseApiError } from '../../../lib/api.ts'
import type { Member } from '../../organizations/api.ts'
import type { Team } from '../../teams/api.ts'
import { bodyOf, candidatesFor, entriesFrom, isDirty, saveErrors, selfDemotion, withEntry, withoutEntry, withPermission, type DraftEntry } from './permissionsDraft.ts'

const member = (userId: string, name: string, role: Member['role'] = 'member', status = 'active'): Member => ({ userId, email: `${name.toLowerCase()}@example.com`, name, role, status, invitedAt: null, joinedAt: null })
const team = (id: string, name: string): Team => ({ id, name, description: null, memberCount: 2, createdAt: '', updatedAt: '' })

const members = [member('u-owner', 'Olga', 'owner'), member('u-admin', 'Adam', 'admin'), member('u-creator', 'Cleo'), member('u-vera', 'Vera'), member('u-nate', 'Nate', 'viewer'), member('u-sus', 'Sam', 'member', 'suspended')]
const teams = [team('t-ops', 'Ops'), team('t-data', 'Data')]

describe('permission entries', () => {
  it('reads grants, adds, changes and removes entries, and sends them in order', () => {
    const saved = entriesFrom([
      { userId: 'u-vera', teamId: null, permission: 'view', grantedBy: null, grantedAt: '' },
      { userId: null, teamId: 't-ops', permission: 'edit', grantedBy: null, grantedAt: '' },
    ])
    expect(saved).toEqual([{ kind: 'user', id: 'u-vera', permission: 'view' }, { kind: 'team', id: 't-ops', permission: 'edit' }])
    // Adding someone listed already changes their level instead of listing them twice.
    let draft = withEntry(saved, { kind: 'user', id: 'u-vera', permission: 'admin' })
    expect(draft).toHaveLength(2)
    draft = withEntry(draft, { kind: 'team', id: 't-data', permission: 'view' })
    draft = withPermission(draft, 'team:t-ops', 'view')
    draft = withoutEntry(draft, 'user:u-vera')
    expect(bodyOf(draft)).toEqual([{ teamId: 't-ops', permission: 'view' }, { teamId: 't-data', permission: 'view' }])
  })

  it('is dirty only when the set of grants changes, not their order', () => {
    const a: DraftEntry[] = [{ kind: 'user', id: 'u-vera', permission: 'view' }, { kind: 'team', id: 't-ops', permission: 'edit' }]
    expect(isDirty(a, [...a].reverse())).toBe(false)
    expect(isDirty(a, withPermission(a, 'user:u-vera', 'edit'))).toBe(true)
    expect(isDirty(a, [])).toBe(true)
  })

  it('offers only active members without permanent access, and teams, that are not listed yet', () => {
    const candidates = candidatesFor(members, teams, [{ kind: 'team', id: 't-ops', permission: 'view' }], 'u-creator')
    expect(candidates.members.map((m) => m.userId)).toEqual(['u-nate', 'u-vera'])
    expect(candidates.teams.map((t) => t.id)).toEqual(['t-data'])
  })

  it('puts the server validation errors next to the entry they name', () => {
    const sent: DraftEntry[] = [{ kind: 'team', id: 't-ops', permission: 'view' }, { kind: 'user', id: 'u-gone', permission: 'view' }]
    const fromService = parseApiError(400, { error: { code: 'validation_failed', message: 'permissions/1 userId is not a member of the organization', details: [{ field: 'permissions/1', message: 'userId is not a member of the organization' }] } })
    const mapped = saveErrors(fromService, sent)
    expect([...mapped.byEntry]).toEqual([['user:u-gone', 'This person is not a member of the organization']])
    expect(mapped.general).toBeUndefined()
    const fromSchema = parseApiError(400, { error: { code: 'validation_failed', message: 'body.permissions.0.teamId must match format "uuid"', details: [{ field: 'body.permissions.0.teamId', message: 'must match format "uuid"' }] } })
    expect([...saveErrors(fromSchema, sent).byEntry]).toEqual([['team:t-ops', 'must match format "uuid"']])
    const other = parseApiError(400, { error: { code: 'validation_failed', message: 'body must be object' } })
    expect(saveErrors(other, sent)).toEqual({ byEntry: new Map(), general: 'body must be object' })
  })

  it('warns a member who would remove their own only admin grant, not owners or the creator', () => {
    const saved: DraftEntry[] = [{ kind: 'user', id: 'u-vera', permission: 'admin' }]
    expect(selfDemotion(saved, [], members[3], 'u-creator')).toBe(true)
    expect(selfDemotion(saved, withPermission(saved, 'user:u-vera', 'edit'), members[3], 'u-creator')).toBe(true)
    expect(selfDemotion(saved, saved, members[3], 'u-creator')).toBe(false)
    expect(selfDemotion([{ kind: 'user', id: 'u-owner', permission: 'admin' }], [], members[0], 'u-creator')).toBe(false)
    expect(selfDemotion([{ kind: 'user', id: 'u-creator', permission: 'admin' }], [], members[2], 'u-creator')).toBe(false)
  })
})
