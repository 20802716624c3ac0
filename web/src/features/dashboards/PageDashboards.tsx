import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { errorMessage } from '../../lib/api.ts'
import { formatDate, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useAuth } from '../auth/AuthContext.ts'
import type { Member } from '../organizations/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { rememberOrg } from '../organizations/useCurrentOrg.ts'
import { dashboardsApi, type Dashboard, type DemoProgress } from './api.ts'
import { CreateDashboardDialog } from './components/CreateDashboardDialog.tsx'
import { StarButton } from './components/StarButton.tsx'

const SORTS = [
  { value: 'recent', label: 'Recently viewed' },
  { value: 'views', label: 'Most viewed' },
  { value: 'name', label: 'Name' },
  { value: 'updated', label: 'Recently updated' },
]

/** The organization's dashboards: search, filter, sort, star, create, duplicate, delete and restore. */
export function PageDashboards() {
  const { org } = useOrg()
  const auth = useAuth()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const tag = params.get('tag') ?? ''
  const owner = params.get('owner') ?? ''
  const starred = params.get('starred') === '1'
  const sort = params.get('sort') ?? 'recent'
  const [search, setSearch] = useState(q)
  const [creating, setCreating] = useState(false)
  const [actionError, setActionError] = useState<string | undefined>(undefined)
  const list = useApi<{ dashboards: Dashboard[]; total: number }>(`/orgs/${org.id}/dashboards`, { q: q || undefined, tag: tag || undefined, owner: owner || undefined, starred: starred || undefined, sort })
  const deleted = useApi<{ dashboards: Dashboard[]; total: number }>(`/orgs/${org.id}/dashboards`, { deleted: true, limit: 20 })
  const members = useApi<{ members: Member[] }>(`/orgs/${org.id}/members`)
  const names = new Map((members.data?.members ?? []).map((member) => [member.userId, member.name]))
  const filtered = q !== '' || tag !== '' || owner !== '' || starred

  const setParam = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    setParams(next, { replace: true })
  }

  const ownerName = (dashboard: Dashboard) => {
    if (!dashboard.createdBy) return '—'
    if (dashboard.createdBy === auth.user?.id) return 'You'
    return names.get(dashboard.createdBy) ?? 'A member'
  }

  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined)
    try {
      await action()
      list.reload()
      deleted.reload()
    } catch (error) {
      setActionError(errorMessage(error))
    }
  }

  const tags = [...new Set((list.data?.dashboards ?? []).flatMap((dashboard) => dashboard.tags))].sort()

  return (
    <div className="page">
      <PageHeader
        title="Dashboards"
        description="Charts, KPIs and tables of your metrics, pipelines and saved queries, live as data arrives."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New dashboard
          </Button>
        }
      />
      {creating ? (
        <CreateDashboardDialog orgId={org.id} onClose={() => setCreating(false)} onCreated={(created) => navigate(`/orgs/${org.id}/dashboards/${created.id}?edit=1`)} />
      ) : null}
      {actionError ? <Alert>{actionError}</Alert> : null}
      <div className="dash-list-toolbar">
        <form className="dash-search" role="search" onSubmit={(event) => { event.preventDefault(); setParam('q', search.trim() || undefined) }}>
          <input type="search" aria-label="Search dashboards" placeholder="Search by name…" value={search} onChange={(event) => {
            setSearch(event.target.value)
            if (event.target.value === '') setParam('q', undefined)
          }} />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
        <select aria-label="Tag" value={tag} onChange={(event) => setParam('tag', event.target.value || undefined)}>
          <option value="">All tags</option>
          {[...new Set([...tags, ...(tag ? [tag] : [])])].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <select aria-label="Owner" value={owner} onChange={(event) => setParam('owner', event.target.value || undefined)}>
          <option value="">Anyone</option>
          <option value="me">Created by me</option>
          {(members.data?.members ?? []).filter((member) => member.userId !== auth.user?.id).map((member) => (
            <option key={member.userId} value={member.userId}>
              {member.name}
            </option>
          ))}
        </select>
        <button type="button" className={`btn ${starred ? 'btn--primary' : 'btn--secondary'}`} aria-pressed={starred} onClick={() => setParam('starred', starred ? undefined : '1')}>
          ★ Starred
        </button>
        <select aria-label="Sort" value={sort} onChange={(event) => setParam('sort', event.target.value)}>
          {SORTS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <Loader state={list} label="Loading dashboards…">
        {(data) =>
          data.dashboards.length === 0 ? (
            filtered ? (
              <div className="card">
                <EmptyState title="No dashboard matches" action={<Button variant="secondary" onClick={() => { setSearch(''); setParams(new URLSearchParams(), { replace: true }) }}>Clear search and filters</Button>}>
                  <p>Try another spelling (the search forgives typos), or clear the filters.</p>
                </EmptyState>
              </div>
            ) : (
              <EmptyDashboards onCreate={() => setCreating(true)} onDemoLoaded={async (organizationId) => {
                rememberOrg(organizationId)
                await auth.refresh()
                navigate(`/orgs/${organizationId}/dashboards`)
              }} />
            )
          ) : (
            <ul className="dash-cards" aria-label="Dashboards">
              {data.dashboards.map((dashboard) => (
                <li key={dashboard.id} className="card dash-card">
                  <div className="dash-card-top">
                    <Link to={`/orgs/${org.id}/dashboards/${dashboard.id}`} className="dash-card-name">
                      {dashboard.name}
                    </Link>
                    <StarButton starred={dashboard.starred} name={dashboard.name} onToggle={() => act(() => dashboardsApi.star(org.id, dashboard.id, !dashboard.starred))} />
                  </div>
                  {dashboard.description ? <p className="dash-card-description">{dashboard.description}</p> : null}
                  <p className="dash-card-tags">
                    {dashboard.isPublic ? <span className="badge badge--warning" title="Anyone with the link can view">Public</span> : null}
                    {dashboard.tags.map((name) => (
                      <button key={name} type="button" className="badge dash-tag" onClick={() => setParam('tag', name)}>
                        {name}
                      </button>
                    ))}
                  </p>
                  <p className="dash-card-meta small muted">
                    {ownerName(dashboard)} · updated {formatRelative(dashboard.updatedAt)} · {dashboard.viewCount} {dashboard.viewCount === 1 ? 'view' : 'views'}
                  </p>
                  <div className="dash-card-actions">
                    <Button variant="ghost" className="btn--small" onClick={() => act(async () => {
                      const copy = await dashboardsApi.duplicate(org.id, dashboard.id)
                      navigate(`/orgs/${org.id}/dashboards/${copy.id}`)
                    })}>
                      Duplicate
                    </Button>
                    {dashboard.permission !== 'view' ? (
                      <ConfirmButton label="Delete" subject={dashboard.name} onConfirm={() => act(() => dashboardsApi.remove(org.id, dashboard.id))} />
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Loader>
      {(deleted.data?.dashboards.length ?? 0) > 0 ? (
        <Section title="Recently deleted" description="Deleted dashboards can be restored for 30 days." id="recently-deleted">
          <ul className="dash-deleted">
            {deleted.data?.dashboards.map((dashboard) => (
              <li key={dashboard.id}>
                <span>
                  <strong>{dashboard.name}</strong> <span className="muted small">deleted {formatDate(dashboard.deletedAt)}</span>
                </span>
                <Button variant="secondary" className="btn--small" aria-label={`Restore ${dashboard.name}`} onClick={() => void act(() => dashboardsApi.restore(org.id, dashboard.id))}>
                  Restore
                </Button>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </div>
  )
}

function EmptyDashboards({ onCreate, onDemoLoaded }: { onCreate: () => void; onDemoLoaded: (organizationId: string) => Promise<void> }) {
  return (
    <div className="card">
      <EmptyState
        title="No dashboards yet"
        action={
          <div className="inline-actions dash-empty-actions">
            <Button variant="primary" onClick={onCreate}>
              Create a dashboard
            </Button>
            <LoadDemoButton onLoaded={onDemoLoaded} />
          </div>
        }
      >
        <p>Start from an empty grid, or load a demo organization with 30 days of generated data and ready-made dashboards to explore.</p>
      </EmptyState>
    </div>
  )
}

/** POST /api/v1/demo: a new demo organization owned by the caller. */
export function LoadDemoButton({ onLoaded }: { onLoaded: (organizationId: string) => Promise<void> }) {
  const [busy, setBusy] = useState(false)
  const [progress, setProgress] = useState<DemoProgress | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const busyLabel = progress
    ? `Loading demo data… day ${progress.day} of ${progress.days} (${formatCount(progress.metricPoints)} points)`
    : 'Loading demo data…'
  return (
    <>
      <Button variant="secondary" busy={busy} busyLabel={busyLabel} onClick={() => {
        setBusy(true)
        setProgress(undefined)
        setError(undefined)
        dashboardsApi
          .demo(setProgress)
          .then((result) => onLoaded(result.organizationId))
          .catch((caught: unknown) => setError(`The demo could not be loaded: ${errorMessage(caught)}`))
          .finally(() => setBusy(false))
      }}>
        Load demo data
      </Button>
      {busy ? (
        <progress className="dash-demo-progress" max={progress?.days ?? 1} value={progress?.day ?? 0} aria-label="Demo data loaded so far" />
      ) : null}
      {error ? <p className="inline-error dash-demo-error" role="alert">{error}</p> : null}
    </>
  )
}

const counts = new Intl.NumberFormat()

function formatCount(value: number): string {
  return counts.format(value)
}
