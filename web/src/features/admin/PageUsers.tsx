import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
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
        <Loader state={state} label="Loading users…">
          {(data) => {
            if (data.users.length === 0) {
              return (
                <EmptyState title="No users match">
                  {query || status ? 'Change the search or the status filter.' : 'People appear here when they register or accept an invitation.'}
                </EmptyState>
              )
            }
            return (
              <>
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">User</th>
                        <th scope="col">Status</th>
                        <th scope="col">Security</th>
                        <th scope="col">Sessions</th>
                        <th scope="col">Last sign-in</th>
                        <th scope="col">Created</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.users.map((user) => (
                        <UserRow key={user.id} user={user} isSelf={user.id === me?.id} onChanged={state.reload} />
                      ))}
                    </tbody>
                  </table>
                </div>
                <nav className="pager" aria-label="User pages">
                  <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
                    ← Previous
                  </Button>
                  <span className="muted">
                    {offset + 1}–{offset + data.users.length} of {data.total}
                  </span>
                  <Button variant="secondary" disabled={offset + data.users.length >= data.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
                    Next →
                  </Button>
                </nav>
              </>
            )
          }}
        </Loader>
      </div>
    </div>
  )
}

function UserRow({ user, isSelf, onChanged }: { user: AdminUser; isSelf: boolean; onChanged: () => void }) {
  const locked = user.lockedUntil !== null && new Date(user.lockedUntil).getTime() > Date.now()
  return (
    <tr className={user.status !== 'active' ? 'row--muted' : undefined}>
      <td>
        <div>{user.name}</div>
        <div className="muted small">{user.email}</div>
      </td>
      <td>
        <span className={`badge badge--${user.status === 'active' ? 'success' : user.status === 'suspended' ? 'danger' : 'muted'}`}>{capitalize(user.status)}</span>
        {locked ? <span className="badge badge--warning">Locked until {formatRelative(user.lockedUntil)}</span> : null}
      </td>
      <td className="small">
        {user.isInstanceAdmin ? <span className="badge">Admin</span> : null}
        {user.twoFactorEnabled ? <span className="badge badge--success">2FA</span> : <span className="badge badge--muted">No 2FA</span>}
        {user.emailVerified ? null : <span className="badge badge--warning">Unverified</span>}
      </td>
      <td>{user.activeSessions}</td>
      <td>{formatRelative(user.lastLoginAt)}</td>
      <td>{formatDate(user.createdAt)}</td>
      <td className="cell-actions">
        {isSelf ? (
          <span className="muted small">You</span>
        ) : user.status === 'active' ? (
          <ConfirmButton
            key="suspend"
            label="Suspend"
            subject={user.email}
            onConfirm={async () => {
              await adminApi.updateUser(user.id, 'suspended')
              onChanged()
            }}
          />
        ) : user.status === 'suspended' ? (
          <ConfirmButton
            key="reactivate"
            label="Reactivate"
            subject={user.email}
            onConfirm={async () => {
              await adminApi.updateUser(user.id, 'active')
              onChanged()
            }}
          />
        ) : null}
      </td>
    </tr>
  )
}
