import { Link } from 'react-router-dom'
import { ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canWrite, type DataSource } from '../data-sources/api.ts'
import { listOf } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { scheduleText, TYPE_LABELS, type Pipeline } from './api.ts'
import { StatusBadge } from './components/StatusBadge.tsx'

export function PagePipelines() {
  const { org } = useOrg()
  const pipelines = useApi<{ pipelines: Pipeline[] }>(`/orgs/${org.id}/pipelines`)
  const sources = useApi<{ dataSources: DataSource[] }>(`/orgs/${org.id}/data-sources`)
  const sourceNames = new Map(listOf<DataSource>(sources.data, 'dataSources').map((source) => [source.id, source.name]))
  const writer = canWrite(org.role)
  const newLink = (
    <Link className="btn btn--primary" to={`/orgs/${org.id}/pipelines/new`}>
      New pipeline
    </Link>
  )

  return (
    <div className="page">
      <PageHeader title="Pipelines" description="Each pipeline brings records in (polled from a data source or pushed to it), maps them to fields, stores them and forwards them to its sinks." actions={writer ? newLink : undefined} />
      <div className="card">
        <ApiTable
          state={pipelines}
          loadingLabel="Loading pipelines…"
          select={(data) => listOf<Pipeline>(data, 'pipelines')}
          empty={
            <EmptyState title="No pipelines yet" action={writer ? newLink : undefined}>
              {writer ? 'Create a polling pipeline to fetch from a data source on a schedule, or a realtime one to push records to.' : 'Owners, admins and members of this organization can create pipelines.'}
            </EmptyState>
          }
          rowKey={(pipeline) => pipeline.id}
          columns={[
            { header: 'Name', cell: (pipeline) => <Link to={`/orgs/${org.id}/pipelines/${pipeline.id}`}>{pipeline.name}</Link> },
            {
              header: 'Type',
              cell: (pipeline) => (
                <>
                  <div>{TYPE_LABELS[pipeline.type]}</div>
                  {pipeline.type === 'polling' ? <div className="muted small">{scheduleText(pipeline)}</div> : null}
                </>
              ),
            },
            { header: 'Status', cell: (pipeline) => <StatusBadge pipeline={pipeline} /> },
            {
              header: 'Data source',
              cell: (pipeline) =>
                pipeline.dataSourceId ? <Link to={`/orgs/${org.id}/data-sources/${pipeline.dataSourceId}`}>{sourceNames.get(pipeline.dataSourceId) ?? 'Data source'}</Link> : <span className="muted">{pipeline.type === 'polling' ? 'None' : 'Pushed'}</span>,
            },
            { header: 'Last run', cell: (pipeline) => <span title={pipeline.lastRunAt ? formatDateTime(pipeline.lastRunAt) : undefined}>{formatRelative(pipeline.lastRunAt)}</span> },
          ]}
        />
      </div>
    </div>
  )
}
