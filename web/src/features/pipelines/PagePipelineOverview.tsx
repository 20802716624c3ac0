import { Link, useNavigate } from 'react-router-dom'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canWrite, type DataSource } from '../data-sources/api.ts'
import { listOf } from '../organizations/api.ts'
import { pipelinesApi, scheduleText, TYPE_LABELS, type Pipeline } from './api.ts'
import { EditPipelineForm } from './components/EditPipelineForm.tsx'
import { PauseResume, RunNowButton } from './components/PipelineActions.tsx'
import { StatusBadge } from './components/StatusBadge.tsx'
import { usePipeline } from './PipelineLayout.tsx'

function nextRun(pipeline: Pipeline): string {
  if (pipeline.status !== 'active') {
    return 'not while paused'
  }
  if (!pipeline.nextRunAt) {
    return 'not scheduled'
  }
  return new Date(pipeline.nextRunAt).getTime() <= Date.now() ? 'due now' : formatRelative(pipeline.nextRunAt)
}

export function PagePipelineOverview() {
  const { org, pipeline, reload } = usePipeline()
  const navigate = useNavigate()
  const writer = canWrite(org.role)
  const sources = useApi<{ dataSources: DataSource[] }>(`/orgs/${org.id}/data-sources`)
  const sourceList = listOf<DataSource>(sources.data, 'dataSources')
  const source = sourceList.find((candidate) => candidate.id === pipeline.dataSourceId)
  const base = `/orgs/${org.id}/pipelines/${pipeline.id}`
  const polling = pipeline.type === 'polling'

  return (
    <>
      <Section title="Status" id="pipeline-status" actions={writer && polling ? <RunNowButton orgId={org.id} pipeline={pipeline} /> : undefined}>
        {pipeline.statusReason ? (
          <p>
            <StatusBadge pipeline={pipeline} />
          </p>
        ) : null}
        {writer ? <PauseResume orgId={org.id} pipeline={pipeline} onChanged={reload} /> : null}
        <dl className="details">
          <dt>Type</dt>
          <dd>{TYPE_LABELS[pipeline.type]}</dd>
          {polling ? (
            <>
              <dt>Data source</dt>
              <dd>{pipeline.dataSourceId ? <Link to={`/orgs/${org.id}/data-sources/${pipeline.dataSourceId}`}>{source?.name ?? 'Open the data source'}</Link> : 'None: choose one below'}</dd>
              <dt>Schedule</dt>
              <dd>{scheduleText(pipeline)}</dd>
              <dt>Next run</dt>
              <dd title={formatDateTime(pipeline.nextRunAt)}>{nextRun(pipeline)}</dd>
              <dt>Last run</dt>
              <dd title={formatDateTime(pipeline.lastRunAt)}>{formatRelative(pipeline.lastRunAt)}</dd>
            </>
          ) : (
            <>
              <dt>Receives records</dt>
              <dd>
                <Link to={`${base}/push`}>Ingest URL and webhook</Link>
              </dd>
            </>
          )}
          <dt>Storage</dt>
          <dd>{pipeline.type === 'p2p' || !pipeline.persistData ? 'Not stored (forwarded to sinks only)' : `${pipeline.retentionDays ? `Kept ${pipeline.retentionDays} days` : 'Kept until deleted'}, compressed after ${pipeline.compressAfterDays ?? 7} days`}</dd>
          <dt>Mapping</dt>
          <dd>{pipeline.mapping ? <Link to={`${base}/mapping`}>{`Version ${pipeline.mapping.version}, ${pipeline.mapping.mappings.length} fields`}</Link> : <Link to={`${base}/mapping`}>None: records are stored as they come</Link>}</dd>
          <dt>Sinks</dt>
          <dd>
            <Link to={`${base}/sinks`}>{pipeline.sinkCount === 0 ? 'None' : `${pipeline.sinkCount}`}</Link>
          </dd>
          <dt>Created</dt>
          <dd>{formatDateTime(pipeline.createdAt)}</dd>
        </dl>
      </Section>
      {writer ? (
        <Section title="Settings" id="pipeline-settings">
          <EditPipelineForm key={pipeline.id} orgId={org.id} pipeline={pipeline} sources={sourceList} onSaved={reload} />
          <div className="section-block danger-zone">
            <p>Deleting the pipeline removes its mapping, sinks and every stored row.</p>
            <ConfirmButton
              label="Delete pipeline"
              confirmLabel="Delete this pipeline"
              onConfirm={async () => {
                await pipelinesApi.remove(org.id, pipeline.id)
                navigate(`/orgs/${org.id}/pipelines`)
              }}
            />
          </div>
        </Section>
      ) : null}
    </>
  )
}
