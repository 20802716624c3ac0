import type { ReactNode } from 'react'
import { Link } from 'react-router-dom'
import { Loader } from '../../../components/Loading.tsx'
import { PageHeader } from '../../../components/PageHeader.tsx'
import { TabNav } from '../../../components/TabNav.tsx'
import { useApi } from '../../../lib/useApi.ts'
import { TYPE_LABELS, type Pipeline } from '../../pipelines/api.ts'
import { StatusBadge } from '../../pipelines/components/StatusBadge.tsx'
import { pipelineTabs } from '../../pipelines/PipelineLayout.tsx'
import { pipelinePath } from '../api.ts'

/**
 * The frame of a pipeline's Runs and Statistics tabs, the same as the pipelines feature's
 * PipelineLayout draws around its tabs: the way back, the pipeline's name, type and status,
 * and the tab row. `section` ("Runs") names the tab's content for screen readers.
 */
export function PipelineFrame({
  orgId,
  pipelineId,
  section,
  actions,
  children,
}: {
  orgId: string
  pipelineId: string
  section: string
  actions?: (pipeline: Pipeline) => ReactNode
  children: (pipeline: Pipeline) => ReactNode
}) {
  const pipeline = useApi<Pipeline>(pipelinePath(orgId, pipelineId))
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={`/orgs/${orgId}/pipelines`}>← All pipelines</Link>
      </p>
      <Loader state={pipeline} label="Loading pipeline…">
        {(data) => (
          <>
            <PageHeader
              title={data.name}
              description={
                <>
                  {TYPE_LABELS[data.type]} pipeline <StatusBadge pipeline={data} showReason={false} />
                </>
              }
              actions={actions?.(data)}
            />
            <TabNav label="Pipeline sections" tabs={pipelineTabs(orgId, data)} />
            <h2 className="visually-hidden">{section}</h2>
            {children(data)}
          </>
        )}
      </Loader>
    </div>
  )
}
