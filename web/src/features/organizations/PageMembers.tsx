import { useNavigate } from 'react-router-dom'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { capitalize, formatDate, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useAuth } from '../auth/AuthContext.ts'
import { canManage, listOf, orgApi, type Invitation, type Member } from './api.ts'
import { InviteMemberForm } from './components/InviteMemberForm.tsx'
import { MemberRoleSelect } from './components/MemberRoleSelect.tsx'
import { useOrg } from './OrgLayout.tsx'

export function PageMembers() {
  const { org } = useOrg()
  const auth = useAuth()
  const navigate = useNavigate()
  const manager = canManage(org.role)
  const members = useApi<unknown>(`/orgs/${org.id}/members`)
  const invitations = useApi<unknown>(manager ? `/orgs/${org.id}/invitations` : null)

  const reloadAll = () => {
    members.reload()
    invitations.reload()
  }

  return (
    <div className="page">
      <PageHeader title="Members" description={<>People with access to <strong>{org.name}</strong>. Your role: {capitalize(org.role)}.</>} />

      {manager ? (
        <Section title="Invite people" description="Enter an email address. People who already have an account are added at once; others get an invitation link by email." id="invite">
          <InviteMemberForm orgId={org.id} myRole={org.role} isInstanceAdmin={auth.user?.isInstanceAdmin ?? false} onDone={reloadAll} />
        </Section>
      ) : null}

      <Section title="Members" id="members">
        <Loader state={members} label="Loading members…">
          {(data) => {
            const rows = listOf<Member>(data, 'members').filter((member) => member.status !== 'removed')
            if (rows.length === 0) {
              return <EmptyState title="No members yet">Invite people with the form above.</EmptyState>
            }
            return (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Role</th>
                      <th scope="col">Status</th>
                      <th scope="col">Joined</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((member) => {
                      const isSelf = member.userId === auth.user?.id
                      return (
                        <tr key={member.userId}>
                          <td>
                            {member.name}
                            {isSelf ? <span className="badge badge--muted">You</span> : null}
                          </td>
                          <td>{member.email}</td>
                          <td>
                            {manager && !isSelf ? <MemberRoleSelect orgId={org.id} member={member} myRole={org.role} onChanged={members.reload} /> : capitalize(member.role)}
                          </td>
                          <td>
                            <span className={`badge badge--${member.status === 'active' ? 'success' : 'warning'}`}>{capitalize(member.status)}</span>
                          </td>
                          <td>{formatDate(member.joinedAt)}</td>
                          <td className="cell-actions">
                            {isSelf ? (
                              <ConfirmButton
                                label="Leave"
                                confirmLabel="Leave organization"
                                subject={org.name}
                                onConfirm={async () => {
                                  await orgApi.removeMember(org.id, member.userId)
                                  await auth.refresh()
                                  navigate('/')
                                }}
                              />
                            ) : manager ? (
                              <ConfirmButton
                                label="Remove"
                                subject={member.name}
                                onConfirm={async () => {
                                  await orgApi.removeMember(org.id, member.userId)
                                  members.reload()
                                }}
                              />
                            ) : null}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </div>
            )
          }}
        </Loader>
      </Section>

      {manager ? (
        <Section title="Pending invitations" description="Invitation links expire after 7 days. Revoking one makes its link stop working." id="invitations">
          <Loader state={invitations} label="Loading invitations…">
            {(data) => {
              const rows = listOf<Invitation>(data, 'invitations').filter((invitation) => invitation.status === 'pending')
              if (rows.length === 0) {
                return <EmptyState title="No pending invitations">When you invite someone who has no account yet, the invitation waits here until they accept it.</EmptyState>
              }
              return (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Email</th>
                        <th scope="col">Role</th>
                        <th scope="col">Sent</th>
                        <th scope="col">Expires</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((invitation) => (
                        <tr key={invitation.id}>
                          <td>{invitation.email}</td>
                          <td>{capitalize(invitation.role)}</td>
                          <td>{formatRelative(invitation.createdAt)}</td>
                          <td>{formatDate(invitation.expiresAt)}</td>
                          <td className="cell-actions">
                            <ConfirmButton
                              label="Revoke"
                              subject={`invitation for ${invitation.email}`}
                              onConfirm={async () => {
                                await orgApi.revokeInvitation(org.id, invitation.id)
                                invitations.reload()
                              }}
                            />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }}
          </Loader>
        </Section>
      ) : null}
    </div>
  )
}
