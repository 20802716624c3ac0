import { useMemo } from 'react'
import { Link, useParams, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { Pager } from '../../components/Pager.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { pipelinePath, type PipelineSummary, type Run } from './api.ts'
import { PipelineFrame } from './components/PipelineFrame.tsx'
import { filtersFrom, rangeStart, RunFilters, type RunFilterValues } from './components/RunFilters.tsx'
import { runBlocker, RunNowButton } from './components/RunNowButton.tsx'
import { RunsTable } from './components/RunsTable.tsx'
import { isActive } from './runStatus.ts'
import { usePolling } from './usePolling.ts'

const PAGE_SIZE = 25
/** While a run on the page is still going, the list refreshes this often. */
const REFRESH_MS = 3000

export function PageRuns() {
  const { org } = useOrg()
  const { pipelineId = '' } = useParams()
  const canWrite = org.role !== 'viewer'
  return (
    <PipelineFrame
      orgId={org.id}
      pipelineId={pipelineId}
      section="Runs"
      actions={(pipeline) => (runBlocker(pipeline, canWrite) ? null : <RunNowButton orgId={org.id} pipeline={pipeline} canWrite={canWrite} />)}
    >
      {(pipeline) => <RunsList orgId={org.id} pipeline={pipeline} canWrite={canWrite} />}
    </PipelineFrame>
  )
}

function RunsList({ orgId, pipeline, canWrite }: { orgId: string; pipeline: PipelineSummary; canWrite: boolean }) {
  const [params, setParams] = useSearchParams()
  const filters = filtersFrom(params)
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1)
  // The range's start is fixed when the range is chosen: a moving `from` would refetch on every render.
  const from = useMemo(() => rangeStart(filters.range, Date.now()), [filters.range])
  // One more row than shown tells whether there is a next page.
  const runs = useApi<{ runs: Run[] }>(`${pipelinePath(orgId, pipeline.id)}/runs`, {
    status: filters.status || undefined,
    from,
    limit: PAGE_SIZE + 1,
    offset: (page - 1) * PAGE_SIZE,
  })
  const rows = runs.data?.runs.slice(0, PAGE_SIZE) ?? []
  const hasNext = (runs.data?.runs.length ?? 0) > PAGE_SIZE
  const anyActive = rows.some((run) => isActive(run.status))
  usePolling(anyActive, REFRESH_MS, runs.reload)
  const blocker = runBlocker(pipeline, canWrite)
  const filtered = filters.status !== '' || filters.range !== ''

  const update = (next: RunFilterValues, nextPage = 1) => {
    const query = new URLSearchParams()
    if (next.status) {
      query.set('status', next.status)
    }
    if (next.range) {
      query.set('range', next.range)
    }
    if (nextPage > 1) {
      query.set('page', String(nextPage))
    }
    setParams(query)
  }

  const empty = filtered ? (
    <EmptyState title="No runs match these filters" action={<Button onClick={() => update({ status: '', range: '' })}>Clear filters</Button>}>
      Try another status or a longer time range.
    </EmptyState>
  ) : page > 1 ? (
    <EmptyState title="No more runs" action={<Button onClick={() => update(filters)}>Back to the newest runs</Button>} />
  ) : (
    <EmptyState title="This pipeline has not run yet" action={blocker ? null : <RunNowButton orgId={orgId} pipeline={pipeline} canWrite={canWrite} />}>
      {blocker ?? 'Runs start on the pipeline’s schedule, or now with Run now. Each run fetches, maps, stores and forwards its records.'}
    </EmptyState>
  )

  return (
    <>
      {blocker && canWrite ? (
        <Alert tone="info" className="section">
          <p>
            {blocker} <Link to={pipelinePath(orgId, pipeline.id)}>Open the overview</Link>
          </p>
        </Alert>
      ) : null}
      <div className="card">
        <div className="runs-toolbar">
          <RunFilters values={filters} onChange={(next) => update(next)} />
          <p className="muted small runs-refresh" role="status">
            {anyActive ? 'Refreshing every few seconds while runs are active.' : ''}
          </p>
        </div>
        {runs.error !== undefined ? <LoadError error={runs.error} onRetry={runs.reload} /> : null}
        {runs.data === undefined && runs.error === undefined ? <Spinner label="Loading runs…" /> : null}
        {runs.data !== undefined ? (
          <div aria-busy={runs.loading}>
            <RunsTable orgId={orgId} runs={rows} empty={empty} />
            {page > 1 || hasNext ? (
              <Pager
                label="Run pages"
                previousLabel="← Newer"
                nextLabel="Older →"
                canPrevious={page > 1}
                canNext={hasNext}
                onPrevious={() => update(filters, page - 1)}
                onNext={() => update(filters, page + 1)}
              >
                Page {page}
              </Pager>
            ) : null}
          </div>
        ) : null}
      </div>
    </>
  )
}
