import { Link } from 'react-router-dom'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canManage, listOf } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import type { Team } from './api.ts'
import { CreateTeamForm } from './components/CreateTeamForm.tsx'

export function PageTeams() {
  const { org } = useOrg()
  const teams = useApi<unknown>(`/orgs/${org.id}/teams`)
  const manager = canManage(org.role)

  return (
    <div className="page">
      <PageHeader title="Teams" description={`Group the members of ${org.name} to share dashboards and permissions.`} />
      {manager ? (
        <Section title="New team" id="new-team">
          <CreateTeamForm orgId={org.id} onCreated={teams.reload} />
        </Section>
      ) : null}
      <Section title="All teams" id="teams">
        <Loader state={teams} label="Loading teams…">
          {(data) => {
            const rows = listOf<Team>(data, 'teams')
            if (rows.length === 0) {
              return (
                <EmptyState title="No teams yet">
                  {manager ? 'Create the first team with the form above, then add members to it.' : 'Owners and admins of this organization can create teams. Ask one of them.'}
                </EmptyState>
              )
            }
            return (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Team</th>
                      <th scope="col">Description</th>
                      <th scope="col">Members</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((team) => (
                      <tr key={team.id}>
                        <td>
                          <Link to={`/orgs/${org.id}/teams/${team.id}`}>{team.name}</Link>
                        </td>
                        <td className="muted">{team.description ?? '—'}</td>
                        <td>{team.memberCount ?? '—'}</td>
                        <td>{formatDate(team.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }}
        </Loader>
      </Section>
    </div>
  )
}
