import { Link } from 'react-router-dom'
import { ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { listOf } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { canWrite, TYPE_LABELS, type DataSource } from './api.ts'
import { HealthBadge } from './components/HealthBadge.tsx'

export function PageDataSources() {
  const { org } = useOrg()
  const sources = useApi<{ dataSources: DataSource[] }>(`/orgs/${org.id}/data-sources`)
  const writer = canWrite(org.role)
  const newLink = (
    <Link className="btn btn--primary" to={`/orgs/${org.id}/data-sources/new`}>
      New data source
    </Link>
  )

  return (
    <div className="page">
      <PageHeader
        title="Data sources"
        description="Where pipelines get their data: databases and HTTP APIs Tessera polls, CSV files you upload, and push sources that receive records."
        actions={writer ? newLink : undefined}
      />
      <div className="card">
        <ApiTable
          state={sources}
          loadingLabel="Loading data sources…"
          select={(data) => listOf<DataSource>(data, 'dataSources')}
          empty={
            <EmptyState title="No data sources yet" action={writer ? newLink : undefined}>
              {writer ? 'Connect a database or an HTTP API, upload a CSV file, or set up a push source for your applications.' : 'Owners, admins and members of this organization can add data sources.'}
            </EmptyState>
          }
          rowKey={(source) => source.id}
          columns={[
            { header: 'Name', cell: (source) => <Link to={`/orgs/${org.id}/data-sources/${source.id}`}>{source.name}</Link> },
            { header: 'Type', cell: (source) => TYPE_LABELS[source.type] },
            { header: 'Health', cell: (source) => <HealthBadge source={source} /> },
            { header: 'Created', cell: (source) => formatDate(source.createdAt) },
          ]}
        />
      </div>
    </div>
  )
}
