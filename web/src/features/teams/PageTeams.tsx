import { Link } from 'react-router-dom'
import { ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
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
        <ApiTable
          state={teams}
          loadingLabel="Loading teams…"
          select={(data) => listOf<Team>(data, 'teams')}
          empty={
            <EmptyState title="No teams yet">
              {manager ? 'Create the first team with the form above, then add members to it.' : 'Owners and admins of this organization can create teams. Ask one of them.'}
            </EmptyState>
          }
          rowKey={(team) => team.id}
          columns={[
            { header: 'Team', cell: (team) => <Link to={`/orgs/${org.id}/teams/${team.id}`}>{team.name}</Link> },
            { header: 'Description', className: 'muted', cell: (team) => team.description ?? '—' },
            { header: 'Members', cell: (team) => team.memberCount ?? '—' },
            { header: 'Created', cell: (team) => formatDate(team.createdAt) },
          ]}
        />
      </Section>
    </div>
  )
}
