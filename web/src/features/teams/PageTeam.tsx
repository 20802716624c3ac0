import { useRef, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { TextField } from '../../components/Field.tsx'
import { Form, FormActions } from '../../components/Form.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { capitalize, formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { check } from '../../lib/validate.ts'
import { canManage, listOf, type Member } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { teamFrom, teamsApi, type Team, type TeamMember } from './api.ts'
import { AddTeamMemberForm } from './components/AddTeamMemberForm.tsx'

export function PageTeam() {
  const { org } = useOrg()
  const { teamId = '' } = useParams()
  const navigate = useNavigate()
  const team = useApi<Team | { team: Team }>(`/orgs/${org.id}/teams/${teamId}`)
  const teamMembers = useApi<unknown>(`/orgs/${org.id}/teams/${teamId}/members`)
  const manager = canManage(org.role)
  const orgMembers = useApi<unknown>(manager ? `/orgs/${org.id}/members` : null)

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/teams`}>← All teams</Link>
      </p>
      <Loader state={team} label="Loading team…">
        {(data) => {
          const details = teamFrom(data)
          const members = listOf<TeamMember>(teamMembers.data, 'members')
          const inTeam = new Set(members.map((member) => member.userId))
          const candidates = listOf<Member>(orgMembers.data, 'members').filter((member) => member.status === 'active' && !inTeam.has(member.userId))
          return (
            <>
              <PageHeader title={details.name} description={details.description ?? `A team in ${org.name}.`} />
              <Section title="Members" id="team-members">
                {manager ? (
                  <div className="section-block">
                    <AddTeamMemberForm orgId={org.id} teamId={details.id} candidates={candidates} onAdded={() => { teamMembers.reload(); team.reload() }} />
                  </div>
                ) : null}
                <ApiTable
                  state={teamMembers}
                  loadingLabel="Loading team members…"
                  select={(data) => listOf<TeamMember>(data, 'members')}
                  empty={
                    <EmptyState title="This team has no members yet">
                      {manager ? 'Add members of the organization with the form above.' : 'Owners and admins of the organization can add members.'}
                    </EmptyState>
                  }
                  rowKey={(member) => member.userId}
                  columns={[
                    { header: 'Name', cell: (member) => member.name },
                    { header: 'Email', cell: (member) => member.email },
                    { header: 'Team role', cell: (member) => capitalize(member.role) },
                    { header: 'Joined', cell: (member) => formatDate(member.joinedAt) },
                    {
                      ...ACTIONS_COLUMN,
                      cell: (member) =>
                        manager ? (
                          <ConfirmButton
                            label="Remove"
                            subject={`${member.name} from ${details.name}`}
                            onConfirm={async () => {
                              await teamsApi.removeMember(org.id, details.id, member.userId)
                              teamMembers.reload()
                            }}
                          />
                        ) : null,
                    },
                  ]}
                />
              </Section>
              {manager ? (
                <Section title="Team settings" id="team-settings">
                  <EditTeamForm orgId={org.id} team={details} onSaved={team.reload} />
                  <div className="section-block danger-zone">
                    <p>Deleting the team removes its memberships; the people stay in the organization.</p>
                    <ConfirmButton
                      label="Delete team"
                      confirmLabel="Delete this team"
                      onConfirm={async () => {
                        await teamsApi.remove(org.id, details.id)
                        navigate(`/orgs/${org.id}/teams`)
                      }}
                    />
                  </div>
                </Section>
              ) : null}
            </>
          )
        }}
      </Loader>
    </div>
  )
}

function EditTeamForm({ orgId, team, onSaved }: { orgId: string; team: Team; onSaved: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState(team.name)
  const [description, setDescription] = useState(team.description ?? '')
  const [saved, setSaved] = useState(false)
  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setSaved(false)
    check([['name', name.trim() !== '', 'Enter a team name']])
    await teamsApi.update(orgId, team.id, { name: name.trim(), description: description.trim() === '' ? null : description.trim() })
    setSaved(true)
    onSaved()
  })
  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Edit team">
      {saved ? <Alert tone="success">Saved.</Alert> : null}
      <TextField label="Team name" name="name" value={name} onChange={setName} error={fieldErrors.name} />
      <TextField label="Description" name="description" value={description} onChange={setDescription} error={fieldErrors.description} />
      <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save team" />
    </Form>
  )
}
