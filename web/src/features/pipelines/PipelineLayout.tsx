import { Link, Outlet, useOutletContext, useParams } from 'react-router-dom'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { TabNav, type TabLink } from '../../components/TabNav.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useOrg, type OrgContext } from '../organizations/OrgLayout.tsx'
import { TYPE_LABELS, type Pipeline } from './api.ts'
import { StatusBadge } from './components/StatusBadge.tsx'

export interface PipelineContext extends OrgContext {
  pipeline: Pipeline
  /** Fetches the pipeline again (after a change made on a tab). */
  reload: () => void
}

/** The tabs of a pipeline; Runs and Statistics are pages of the runs feature. */
export function pipelineTabs(orgId: string, pipeline: Pick<Pipeline, 'id' | 'type'>): TabLink[] {
  const base = `/orgs/${orgId}/pipelines/${pipeline.id}`
  return [
    { to: base, label: 'Overview', end: true },
    { to: `${base}/mapping`, label: 'Mapping' },
    { to: `${base}/sinks`, label: 'Sinks' },
    { to: `${base}/data`, label: 'Data' },
    { to: `${base}/quality`, label: 'Quality' },
    ...(pipeline.type === 'polling' ? [] : [{ to: `${base}/push`, label: 'Push data' }]),
    { to: `${base}/runs`, label: 'Runs' },
    { to: `${base}/statistics`, label: 'Statistics' },
  ]
}

/** Wraps /orgs/:orgId/pipelines/:pipelineId/{,mapping,sinks,data,quality,push}: loads the pipeline once for its tabs. */
export function PipelineLayout() {
  const orgContext = useOrg()
  const { org } = orgContext
  const { pipelineId = '' } = useParams()
  const state = useApi<Pipeline>(`/orgs/${org.id}/pipelines/${pipelineId}`)

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/pipelines`}>← All pipelines</Link>
      </p>
      <Loader state={state} label="Loading pipeline…">
        {(pipeline) => (
          <>
            <PageHeader
              title={pipeline.name}
              description={
                <>
                  {TYPE_LABELS[pipeline.type]} pipeline <StatusBadge pipeline={pipeline} showReason={false} />
                </>
              }
            />
            <TabNav label="Pipeline sections" tabs={pipelineTabs(org.id, pipeline)} />
            <Outlet context={{ ...orgContext, pipeline, reload: state.reload } satisfies PipelineContext} />
          </>
        )}
      </Loader>
    </div>
  )
}

export function usePipeline(): PipelineContext {
  return useOutletContext<PipelineContext>()
}
