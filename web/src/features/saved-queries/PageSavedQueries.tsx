import { Link } from 'react-router-dom'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { canWriteQueries, formatCacheDuration, isSqlSource, type SavedQuery, type SqlSource } from './api.ts'

/** The organization's saved queries; the way to the editor, or to a data source first. */
export function PageSavedQueries() {
  const { org } = useOrg()
  const queries = useApi<{ queries: SavedQuery[] }>(`/orgs/${org.id}/queries`)
  const sources = useApi<{ dataSources: SqlSource[] }>(`/orgs/${org.id}/data-sources`)
  const writer = canWriteQueries(org.role)
  const sqlSources = (sources.data?.dataSources ?? []).filter(isSqlSource)
  const sourceName = new Map((sources.data?.dataSources ?? []).map((source) => [source.id, source.name]))
  const noSource = sources.data !== undefined && sqlSources.length === 0
  const newLink = (
    <Link className="btn btn--primary" to={`/orgs/${org.id}/queries/new`}>
      New query
    </Link>
  )
  const sourcesLink = (
    <Link className="btn btn--primary" to={`/orgs/${org.id}/data-sources/new`}>
      Add a data source
    </Link>
  )

  return (
    <div className="page">
      <PageHeader
        title="Queries"
        description="SQL against your PostgreSQL and MySQL data sources, with typed {{parameters}}. Runs are read-only, limited in rows and time, and cached; a saved query can feed a dashboard widget."
        actions={writer && !noSource ? newLink : undefined}
      />
      <div className="card">
        <Loader state={queries} label="Loading queries…">
          {(data) => (
            <DataTable
              rows={data.queries}
              rowKey={(query) => query.id}
              empty={
                noSource ? (
                  <EmptyState title="Connect a database first" action={writer ? sourcesLink : undefined}>
                    Saved queries run against a PostgreSQL or MySQL data source, and this organization has none yet.{' '}
                    {writer ? 'Add one, then come back to write your first query.' : 'Ask an owner, admin or member to add one.'}
                  </EmptyState>
                ) : (
                  <EmptyState title="No saved queries yet" action={writer ? newLink : undefined}>
                    {writer ? 'Write SQL against one of your databases, try it with test values, and save it for dashboards.' : 'Owners, admins and members of this organization can write queries.'}
                  </EmptyState>
                )
              }
              columns={[
                { header: 'Name', cell: (query) => <Link to={`/orgs/${org.id}/queries/${query.id}`}>{query.name}</Link> },
                { header: 'Data source', cell: (query) => sourceName.get(query.dataSourceId) ?? '—' },
                { header: 'Parameters', cell: (query) => (query.parameters.length === 0 ? '—' : query.parameters.map((p) => p.name).join(', ')) },
                { header: 'Last run', cell: (query) => formatRelative(query.lastRunAt) },
                { header: 'Cache', cell: (query) => formatCacheDuration(query.cacheDuration) },
              ]}
            />
          )}
        </Loader>
      </div>
    </div>
  )
}
