import { Link, useParams } from 'react-router-dom'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { pipelinePath, runPath, type PipelineSummary, type RunDetail } from './api.ts'
import { FetchedContents, FetchingSummary } from './components/FetchedContents.tsx'
import { ProcessingHistory } from './components/ProcessingHistory.tsx'
import { RunActions } from './components/RunActions.tsx'
import { RunSummary } from './components/RunSummary.tsx'
import { StageTimeline } from './components/StageTimeline.tsx'
import { isActive } from './runStatus.ts'
import { usePolling } from './usePolling.ts'

/** A running run is polled this often, until it ends. */
const LIVE_MS = 1500

export function PageRun() {
  const { org } = useOrg()
  const { runId = '' } = useParams()
  const run = useApi<RunDetail>(runPath(org.id, runId))
  const pipelineId = run.data?.pipelineId ?? null
  const pipeline = useApi<PipelineSummary>(pipelineId ? pipelinePath(org.id, pipelineId) : null)
  const active = run.data !== undefined && isActive(run.data.status)
  usePolling(active, LIVE_MS, run.reload)
  const pipelineName = pipeline.data?.name ?? 'the pipeline'

  return (
    <div className="page">
      <p className="breadcrumb">
        {pipelineId ? <Link to={`${pipelinePath(org.id, pipelineId)}/runs`}>← Runs of {pipelineName}</Link> : <Link to={`/orgs/${org.id}/pipelines`}>← All pipelines</Link>}
      </p>
      <Loader state={run} label="Loading run…">
        {(data) => {
          const now = Date.now()
          return (
            <>
              <PageHeader
                title={`Run #${data.runNumber}`}
                description={
                  <>
                    {pipelineId ? (
                      <>
                        Pipeline <Link to={pipelinePath(org.id, pipelineId)}>{pipelineName}</Link> ·{' '}
                      </>
                    ) : null}
                    queued {formatDateTime(data.createdAt)}
                    {active ? <span className="live-dot"> · live</span> : null}
                  </>
                }
                actions={<RunActions orgId={org.id} run={data} canWrite={org.role !== 'viewer'} onChanged={run.reload} />}
              />
              <RunSummary orgId={org.id} run={data} now={now} />
              <Section title="Stages" id="run-stages" description="Fetching → processing → storing → sinks; each bar shows when the stage ran and how long it took.">
                <StageTimeline stages={data.stages} now={now} />
              </Section>
              <Section title="Processing quality" id="run-processing" description="How many fetched records the mapping turned into rows, and why it rejected the others.">
                <ProcessingHistory history={data.processingHistory} active={active} />
              </Section>
              <Section title="Fetched contents" id="run-contents" description="Each page or file the run read, with its SHA-256 and a preview of its records.">
                <FetchingSummary history={data.fetchingHistory} />
                <FetchedContents contents={data.fetchedContents} active={active} />
              </Section>
            </>
          )
        }}
      </Loader>
    </div>
  )
}
