import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button.tsx'
import { ApiTable, type Column } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { OffsetPager } from '../../components/Pager.tsx'
import { capitalize, formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { AdminOrganization } from './api.ts'
import { StorageLimitForm } from './components/StorageLimitForm.tsx'

const PAGE_SIZE = 50

/** GiB as the most readable unit: pipelines of a new organization hold kilobytes, not gigabytes. */
function formatGib(gib: number): string {
  const bytes = gib * 1024 ** 3
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

function usageBadge(org: AdminOrganization) {
  if (org.storageLimitGb === null) {
    return null
  }
  const ratio = org.storageLimitGb === 0 ? 1 : org.storageUsedGb / org.storageLimitGb
  if (ratio >= 1) {
    return <span className="badge badge--danger">Full: new data refused</span>
  }
  return ratio >= 0.8 ? <span className="badge badge--warning">{Math.round(ratio * 100)}% used</span> : null
}

export function PageOrganizations() {
  const [draft, setDraft] = useState('')
  const [query, setQuery] = useState('')
  const [offset, setOffset] = useState(0)
  const state = useApi<{ organizations: AdminOrganization[]; total: number }>('/admin/organizations', { query: query || undefined, limit: PAGE_SIZE, offset })

  const handleSearch = (event: FormEvent) => {
    event.preventDefault()
    setQuery(draft.trim())
    setOffset(0)
  }

  const columns: Array<Column<AdminOrganization>> = [
    {
      header: 'Organization',
      cell: (org) => (
        <>
          <div>{org.name}</div>
          <div className="muted small">{org.slug}</div>
        </>
      ),
    },
    { header: 'Status', cell: (org) => <span className={`badge badge--${org.status === 'active' ? 'success' : 'muted'}`}>{capitalize(org.status)}</span> },
    {
      header: 'Storage used',
      cell: (org) => (
        <>
          {formatGib(org.storageUsedGb)} {usageBadge(org)}
        </>
      ),
    },
    { header: 'Storage limit', cell: (org) => <StorageLimitForm key={`${org.id}:${org.storageLimitGb}`} org={org} onSaved={state.reload} /> },
    { header: 'Created', cell: (org) => formatDate(org.createdAt) },
  ]

  return (
    <div className="page">
      <PageHeader
        title="Organizations"
        description="Storage each organization's pipelines use, and the limit an instance administrator sets. Past its limit, pushes are refused with 507; nothing stored is deleted."
      />
      <form className="card filters" onSubmit={handleSearch} aria-label="Search organizations">
        <div className="filters-grid">
          <div className="field">
            <label htmlFor="org-search">Search</label>
            <input id="org-search" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="name or slug" />
          </div>
        </div>
        <div className="form-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
        </div>
      </form>
      <div className="card">
        <ApiTable
          state={state}
          loadingLabel="Loading organizations…"
          select={(data) => data.organizations}
          empty={<EmptyState title="No organizations match">{query ? 'Change the search.' : 'Organizations appear here when someone creates one.'}</EmptyState>}
          rowKey={(org) => org.id}
          columns={columns}
          footer={(data) => <OffsetPager label="Organization pages" previousLabel="← Previous" nextLabel="Next →" offset={offset} pageSize={PAGE_SIZE} shown={data.organizations.length} total={data.total} onOffsetChange={setOffset} />}
        />
      </div>
    </div>
  )
}
