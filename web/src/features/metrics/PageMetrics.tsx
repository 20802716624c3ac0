import { useState } from 'react'
import { Link } from 'react-router-dom'
import { ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { TextField } from '../../components/Field.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { useApi } from '../../lib/useApi.ts'
import { canWrite } from '../data-sources/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { SOURCE_LABELS, type Metric } from './api.ts'

export function PageMetrics() {
  const { org } = useOrg()
  const [search, setSearch] = useState('')
  const [tag, setTag] = useState('')
  const metrics = useApi<{ metrics: Metric[] }>(`/orgs/${org.id}/metrics`, { search: search || undefined, tag: tag || undefined })
  const writer = canWrite(org.role)
  const newLink = (
    <Link className="btn btn--primary" to={`/orgs/${org.id}/metrics/new`}>
      New metric
    </Link>
  )
  return (
    <div className="page">
      <PageHeader title="Metrics" description="Numbers tracked over time: pushed through the API, read from a pipeline's records, or calculated with SQL on a schedule." actions={writer ? newLink : undefined} />
      <div className="card">
        <div className="form-inline">
          <TextField label="Search" name="search" value={search} onChange={setSearch} placeholder="Name or display name" />
          <TextField label="Tag" name="tag" value={tag} onChange={setTag} placeholder="e.g. sales" />
        </div>
        <ApiTable
          state={metrics}
          loadingLabel="Loading metrics…"
          select={(data) => data.metrics}
          empty={<EmptyState title={search || tag ? 'No metric matches' : 'No metrics yet'} action={writer && !search && !tag ? newLink : undefined}>Define a metric, then push points to it or let a pipeline or a SQL calculation feed it.</EmptyState>}
          rowKey={(metric) => metric.id}
          columns={[
            { header: 'Metric', cell: (m) => (<><Link to={`/orgs/${org.id}/metrics/${m.id}`}>{m.displayName}</Link><div className="muted small">{m.name}</div></>) },
            { header: 'Source', cell: (m) => SOURCE_LABELS[m.source] },
            { header: 'Aggregation', cell: (m) => `${m.aggregationType} (${m.unit})` },
            { header: 'Tags', cell: (m) => m.tags.map((t) => (<button key={t} type="button" className="badge" onClick={() => setTag(t)}>{t}</button>)) },
            { header: 'Status', cell: (m) => (m.isActive ? 'Active' : <span className="muted">Inactive</span>) },
          ]}
        />
      </div>
    </div>
  )
}
