import { useNavigate } from 'react-router-dom'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
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

  const isSelf = (member: Member) => member.userId === auth.user?.id

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
        <ApiTable
          state={members}
          loadingLabel="Loading members…"
          select={(data) => listOf<Member>(data, 'members').filter((member) => member.status !== 'removed')}
          empty={<EmptyState title="No members yet">Invite people with the form above.</EmptyState>}
          rowKey={(member) => member.userId}
          columns={[
            {
              header: 'Name',
              cell: (member) => (
                <>
                  {member.name}
                  {isSelf(member) ? <span className="badge badge--muted">You</span> : null}
                </>
              ),
            },
            { header: 'Email', cell: (member) => member.email },
            {
              header: 'Role',
              cell: (member) => (manager && !isSelf(member) ? <MemberRoleSelect orgId={org.id} member={member} myRole={org.role} onChanged={members.reload} /> : capitalize(member.role)),
            },
            { header: 'Status', cell: (member) => <span className={`badge badge--${member.status === 'active' ? 'success' : 'warning'}`}>{capitalize(member.status)}</span> },
            { header: 'Joined', cell: (member) => formatDate(member.joinedAt) },
            {
              ...ACTIONS_COLUMN,
              cell: (member) =>
                isSelf(member) ? (
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
                ) : null,
            },
          ]}
        />
      </Section>

      {manager ? (
        <Section title="Pending invitations" description="Invitation links expire after 7 days. Revoking one makes its link stop working." id="invitations">
          <ApiTable
            state={invitations}
            loadingLabel="Loading invitations…"
            select={(data) => listOf<Invitation>(data, 'invitations').filter((invitation) => invitation.status === 'pending')}
            empty={<EmptyState title="No pending invitations">When you invite someone who has no account yet, the invitation waits here until they accept it.</EmptyState>}
            rowKey={(invitation) => invitation.id}
            columns={[
              { header: 'Email', cell: (invitation) => invitation.email },
              { header: 'Role', cell: (invitation) => capitalize(invitation.role) },
              { header: 'Sent', cell: (invitation) => formatRelative(invitation.createdAt) },
              { header: 'Expires', cell: (invitation) => formatDate(invitation.expiresAt) },
              {
                ...ACTIONS_COLUMN,
                cell: (invitation) => (
                  <ConfirmButton
                    label="Revoke"
                    subject={`invitation for ${invitation.email}`}
                    onConfirm={async () => {
                      await orgApi.revokeInvitation(org.id, invitation.id)
                      invitations.reload()
                    }}
                  />
                ),
              },
            ]}
          />
        </Section>
      ) : null}
    </div>
  )
}
