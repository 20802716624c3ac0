// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { useState } from 'react'
import { MemoryRouter } from 'react-router-dom'
import { afterEach, describe, expect, it } from 'vitest'
import type { Member } from '../../organizations/api.ts'
import type { Team } from '../../teams/api.ts'
import { PermissionsEditor } from './PermissionsEditor.tsx'
import type { DraftEntry, EntryKey } from './permissionsDraft.ts'

const member = (userId: string, name: string, role: Member['role'] = 'member'): Member => ({ userId, email: `${name.split(' ')[0]!.toLowerCase()}@example.com`, name, role, status: 'active', invitedAt: null, joinedAt: null })
const MEMBERS = [member('u-owner', 'Olga Owner', 'owner'), member('u-cleo', 'Cleo Creator'), member('u-vera', 'Vera View'), member('u-nina', 'Nina Viewer', 'viewer')]

/** The editor with its entries held in state, as the dialog holds them. */
function Harness({ initial, teams, errors }: { initial: DraftEntry[]; teams: Team[]; errors: Map<EntryKey, string> }) {
  const [entries, setEntries] = useState(initial)
  return (
    <MemoryRouter>
      <PermissionsEditor orgId="org-1" entries={entries} members={MEMBERS} teams={teams} creatorId="u-cleo" currentUserId="u-owner" errors={errors} onChange={setEntries} />
      <output aria-label="Entries">{JSON.stringify(entries)}</output>
    </MemoryRouter>
  )
}

function setup(options: { initial?: DraftEntry[]; teams?: Team[]; errors?: Map<EntryKey, string> } = {}) {
  return { user: userEvent.setup(), ...render(<Harness initial={options.initial ?? []} teams={options.teams ?? []} errors={options.errors ?? new Map()} />) }
}

const entries = () => JSON.parse(screen.getByRole('status', { name: 'Entries' }).textContent ?? '[]') as DraftEntry[]

afterEach(cleanup)

describe('PermissionsEditor', () => {
  it('shows everyone has access, who always has admin, and how to create a team when there is none', () => {
    setup()
    expect(screen.getByText('Everyone in the organization')).toBeTruthy()
    expect(screen.getByText('Organization owners and admins: Olga Owner (you)')).toBeTruthy()
    expect(screen.getByText('Its creator: Cleo Creator')).toBeTruthy()
    expect(screen.getByText(/No teams yet/)).toBeTruthy()
    expect(screen.getAllByRole('link', { name: 'Teams page' })[0]?.getAttribute('href')).toBe('/orgs/org-1/teams')
  })

  it('restricts to a member, changes their level, and opens to everyone again when the last entry goes', async () => {
    const { user } = setup({ teams: [{ id: 't-ops', name: 'Ops', description: null, memberCount: 3, createdAt: '', updatedAt: '' }] })
    const picker = screen.getByRole('combobox', { name: 'Member or team' })
    // Owners, admins and the creator always have access: the picker doesn't offer them.
    expect(within(picker).queryByRole('option', { name: /Olga Owner|Cleo Creator/ })).toBeNull()
    expect(screen.getByRole('button', { name: 'Add' })).toHaveProperty('disabled', true)
    await user.selectOptions(picker, 'Vera View (vera@example.com)')
    await user.selectOptions(screen.getByRole('combobox', { name: 'Permission' }), 'Can view')
    await user.click(screen.getByRole('button', { name: 'Add' }))
    expect(entries()).toEqual([{ kind: 'user', id: 'u-vera', permission: 'view' }])
    expect(screen.queryByText('Everyone in the organization')).toBeNull()
    const list = screen.getByRole('list', { name: 'Members and teams with access' })
    expect(within(list).getByText('Vera View')).toBeTruthy()
    expect(within(picker).queryByRole('option', { name: /Vera View/ })).toBeNull()

    await user.selectOptions(screen.getByRole('combobox', { name: 'Permission for Vera View' }), 'Can edit')
    expect(entries()).toEqual([{ kind: 'user', id: 'u-vera', permission: 'edit' }])
    await user.selectOptions(picker, 'Ops (team, 3 members)')
    await user.click(screen.getByRole('button', { name: 'Add' }))
    expect(entries()).toEqual([{ kind: 'user', id: 'u-vera', permission: 'edit' }, { kind: 'team', id: 't-ops', permission: 'view' }])

    await user.click(screen.getByRole('button', { name: 'Remove Vera View' }))
    await user.click(screen.getByRole('button', { name: 'Remove Ops' }))
    expect(entries()).toEqual([])
    expect(screen.getByText('Everyone in the organization')).toBeTruthy()
  })

  it('shows a server error next to its entry and notes that organization viewers only view', () => {
    setup({
      initial: [{ kind: 'user', id: 'u-gone', permission: 'view' }, { kind: 'user', id: 'u-nina', permission: 'admin' }],
      errors: new Map([['user:u-gone', 'This person is not a member of the organization']]),
    })
    const level = screen.getByRole('combobox', { name: 'Permission for A former member' })
    expect(level.getAttribute('aria-invalid')).toBe('true')
    expect(document.getElementById(level.getAttribute('aria-describedby') ?? '')?.textContent).toBe('This person is not a member of the organization')
    expect(screen.getByText('A viewer of the organization can only view, whatever is granted here.')).toBeTruthy()
  })
})
