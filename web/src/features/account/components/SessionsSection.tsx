import { ConfirmButton } from '../../../components/ConfirmButton.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
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
      <ApiTable
        state={state}
        loadingLabel="Loading sessions…"
        select={(data) => data.sessions}
        empty={<EmptyState title="No active sessions">Sessions appear here when you sign in.</EmptyState>}
        rowKey={(session) => session.id}
        columns={[
          {
            header: 'Device',
            cell: (session) => (
              <>
                {describe(session)}
                {session.current ? <span className="badge badge--success">This session</span> : null}
                {!session.mfaVerified ? <span className="badge badge--warning">Awaiting 2FA</span> : null}
              </>
            ),
          },
          { header: 'IP address', className: 'mono small', cell: (session) => session.ipAddress ?? '—' },
          { header: 'Signed in', cell: (session) => formatDateTime(session.createdAt) },
          { header: 'Last active', cell: (session) => formatRelative(session.lastActivityAt) },
          {
            ...ACTIONS_COLUMN,
            cell: (session) => (
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
            ),
          },
        ]}
      />
    </Section>
  )
}
