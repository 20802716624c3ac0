import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { Loader } from '../../../components/Loading.tsx'
import { Section } from '../../../components/PageHeader.tsx'
import { capitalize, formatDateTime, formatRelative } from '../../../lib/format.ts'
import type { ApiState } from '../../../lib/useApi.ts'
import { useAuth } from '../../auth/AuthContext.ts'
import { accountApi, type AccountSession } from '../api.ts'

function describe(session: AccountSession): string {
  const parts = [session.browser, session.os].filter(Boolean)
  const device = session.device ? capitalize(session.device) : 'Unknown device'
  return parts.length > 0 ? `${parts.join(' on ')} (${device})` : device
}

export function SessionsSection({ state }: { state: ApiState<{ sessions: AccountSession[] }> }) {
  const auth = useAuth()
  return (
    <Section title="Sessions" description="Browsers and devices signed in to your account. Sign out any you don't recognise, then change your password." id="sessions">
      <Loader state={state} label="Loading sessions…">
        {(data) =>
          data.sessions.length === 0 ? (
            <EmptyState title="No active sessions">Sessions appear here when you sign in.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">IP address</th>
                    <th scope="col">Signed in</th>
                    <th scope="col">Last active</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.sessions.map((session) => (
                    <tr key={session.id}>
                      <td>
                        {describe(session)}
                        {session.current ? <span className="badge badge--success">This session</span> : null}
                        {!session.mfaVerified ? <span className="badge badge--warning">Awaiting 2FA</span> : null}
                      </td>
                      <td className="mono small">{session.ipAddress ?? '—'}</td>
                      <td>{formatDateTime(session.createdAt)}</td>
                      <td>{formatRelative(session.lastActivityAt)}</td>
                      <td className="cell-actions">
                        <ConfirmButton
                          label={session.current ? 'Sign out' : 'Revoke'}
                          subject={describe(session)}
                          onConfirm={async () => {
                            await accountApi.revokeSession(session.id)
                            if (session.current) {
                              await auth.signOut()
                              return
                            }
                            state.reload()
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loader>
    </Section>
  )
}
