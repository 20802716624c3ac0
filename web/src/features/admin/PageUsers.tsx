import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { ACTIONS_COLUMN, ApiTable, type Column } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { OffsetPager } from '../../components/Pager.tsx'
import { capitalize, formatDate, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { adminApi, type AdminUser } from './api.ts'

const PAGE_SIZE = 50

export function PageUsers() {
  const { user: me } = useAuth()
  const [draft, setDraft] = useState('')
  const [query, setQuery] = useState('')
  const [status, setStatus] = useState('')
  const [offset, setOffset] = useState(0)
  const state = useApi<{ users: AdminUser[]; total: number; limit: number; offset: number }>('/admin/users', { query: query || undefined, status: status || undefined, limit: PAGE_SIZE, offset })

  const handleSearch = (event: FormEvent) => {
    event.preventDefault()
    setQuery(draft.trim())
    setOffset(0)
  }

  return (
    <div className="page">
      <PageHeader title="Users" description="Every account on this instance. Suspending a user signs them out everywhere at once; reactivating lets them sign in again." />
      <form className="card filters" onSubmit={handleSearch} aria-label="Search users">
        <div className="filters-grid">
          <div className="field">
            <label htmlFor="user-search">Search</label>
            <input id="user-search" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="email or name" />
          </div>
          <div className="field">
            <label htmlFor="user-status">Status</label>
            <select
              id="user-status"
              value={status}
              onChange={(event) => {
                setStatus(event.target.value)
                setOffset(0)
              }}
            >
              <option value="">Any status</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
              <option value="deleted">Deleted</option>
            </select>
          </div>
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <div className="card">
        <ApiTable
          state={state}
          loadingLabel="Loading users…"
          select={(data) => data.users}
          empty={
            <EmptyState title="No users match">
              {query || status ? 'Change the search or the status filter.' : 'People appear here when they register or accept an invitation.'}
            </EmptyState>
          }
          rowKey={(user) => user.id}
          rowClassName={(user) => (user.status !== 'active' ? 'row--muted' : undefined)}
          columns={userColumns(me?.id, state.reload)}
          footer={(data) => <OffsetPager label="User pages" previousLabel="← Previous" nextLabel="Next →" offset={offset} pageSize={PAGE_SIZE} shown={data.users.length} total={data.total} onOffsetChange={setOffset} />}
        />
      </div>
    </div>
  )
}

function userColumns(myId: string | undefined, onChanged: () => void): Array<Column<AdminUser>> {
  return [
    {
      header: 'User',
      cell: (user) => (
        <>
          <div>{user.name}</div>
          <div className="muted small">{user.email}</div>
        </>
      ),
    },
    {
      header: 'Status',
      cell: (user) => {
        const locked = user.lockedUntil !== null && new Date(user.lockedUntil).getTime() > Date.now()
        return (
          <>
            <span className={`badge badge--${user.status === 'active' ? 'success' : user.status === 'suspended' ? 'danger' : 'muted'}`}>{capitalize(user.status)}</span>
            {locked ? <span className="badge badge--warning">Locked until {formatRelative(user.lockedUntil)}</span> : null}
          </>
        )
      },
    },
    {
      header: 'Security',
      className: 'small',
      cell: (user) => (
        <>
          {user.isInstanceAdmin ? <span className="badge">Admin</span> : null}
          {user.twoFactorEnabled ? <span className="badge badge--success">2FA</span> : <span className="badge badge--muted">No 2FA</span>}
          {user.emailVerified ? null : <span className="badge badge--warning">Unverified</span>}
        </>
      ),
    },
    { header: 'Sessions', cell: (user) => user.activeSessions },
    { header: 'Last sign-in', cell: (user) => formatRelative(user.lastLoginAt) },
    { header: 'Created', cell: (user) => formatDate(user.createdAt) },
    {
      ...ACTIONS_COLUMN,
      cell: (user) => {
        if (user.id === myId) {
          return <span className="muted small">You</span>
        }
        // An administrator suspends an active account and reactivates a suspended one. The key
        // makes the button start unconfirmed again once the status has flipped.
        const action =
          user.status === 'active' ? ({ label: 'Suspend', status: 'suspended' } as const) : user.status === 'suspended' ? ({ label: 'Reactivate', status: 'active' } as const) : undefined
        if (!action) {
          return null
        }
        return (
          <ConfirmButton
            key={action.label}
            label={action.label}
            subject={user.email}
            onConfirm={async () => {
              await adminApi.updateUser(user.id, action.status)
              onChanged()
            }}
          />
        )
      },
    },
  ]
}
