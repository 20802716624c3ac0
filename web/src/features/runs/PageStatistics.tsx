import { useMemo, useState } from 'react'
import { useParams, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { Loader, LoadError, Spinner } from '../../components/Loading.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { ApiError } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { pipelinePath, type PipelineSummary, type Statistics, type Workflow } from './api.ts'
import { PeriodPicker } from './components/PeriodPicker.tsx'
import { PipelineFrame } from './components/PipelineFrame.tsx'
import { RunsChart } from './components/RunsChart.tsx'
import { StatCards } from './components/StatCards.tsx'
import { WorkflowSettingsForm, WorkflowSettingsView } from './components/WorkflowSettings.tsx'
import { bucketRuns, durationStats, periodFrom } from './statistics.ts'
import { MAX_CHART_RUNS, usePeriodRuns } from './usePeriodRuns.ts'

export function PageStatistics() {
  const { org } = useOrg()
  const { pipelineId = '' } = useParams()
  return (
    <PipelineFrame orgId={org.id} pipelineId={pipelineId} section="Statistics">
      {(pipeline) => (
        <>
          <RunStatistics orgId={org.id} pipeline={pipeline} />
          <RunSettings orgId={org.id} pipeline={pipeline} canWrite={org.role !== 'viewer'} />
        </>
      )}
    </PipelineFrame>
  )
}

function RunStatistics({ orgId, pipeline }: { orgId: string; pipeline: PipelineSummary }) {
  const [params, setParams] = useSearchParams()
  const period = periodFrom(params.get('period'))
  const [version, setVersion] = useState(0)
  // The window is fixed when the period is picked (or refreshed), so the requests don't move on every render.
  const span = useMemo(() => {
    const now = Date.now() // read again when `version` changes (Refresh)
    // The chart's first bar starts on a whole hour or day, a little before the period does.
    const chartFrom = bucketRuns([], period, now)[0]?.start ?? now
    return { now, from: new Date(now - period.hours * 3_600_000).toISOString(), to: new Date(now).toISOString(), chartFrom: new Date(chartFrom).toISOString() }
  }, [period, version])
  const stats = useApi<Statistics>(`${pipelinePath(orgId, pipeline.id)}/statistics`, { from: span.from, to: span.to })
  const periodRuns = usePeriodRuns(orgId, pipeline.id, span.chartFrom, version)
  const buckets = useMemo(() => (periodRuns.runs ? bucketRuns(periodRuns.runs, period, span.now) : []), [periodRuns.runs, period, span.now])
  // Exact durations need every run of the period; a truncated list leaves the server's figures alone.
  const durations = useMemo(
    () => (periodRuns.runs && !periodRuns.truncated ? durationStats(periodRuns.runs.filter((run) => (run.startedAt ?? run.createdAt) >= span.from)) : null),
    [periodRuns.runs, periodRuns.truncated, span.from],
  )

  return (
    <>
      <div className="stats-toolbar">
        <PeriodPicker value={period.value} onChange={(value) => setParams(value === '7d' ? {} : { period: value })} />
        <span className="muted small">
          {formatDateTime(span.from)} – {formatDateTime(span.to)}
        </span>
        <Button variant="ghost" onClick={() => setVersion((value) => value + 1)}>
          Refresh
        </Button>
      </div>
      <Section title="Run statistics" id="run-statistics">
        <Loader state={stats} label="Loading statistics…">
          {(data) => <StatCards stats={data} period={period} durations={durations} />}
        </Loader>
      </Section>
      <Section
        title={period.bucketHours === 1 ? 'Runs per hour' : 'Runs per day'}
        id="runs-per-day"
        description={periodRuns.truncated ? `Only the newest ${MAX_CHART_RUNS} runs of the period are drawn.` : 'Stacked by how each run ended.'}
      >
        {periodRuns.error !== undefined ? <LoadError error={periodRuns.error} onRetry={() => setVersion((value) => value + 1)} /> : null}
        {periodRuns.runs === undefined && periodRuns.error === undefined ? <Spinner label="Loading runs…" /> : null}
        {periodRuns.runs !== undefined ? <RunsChart buckets={buckets} period={period} /> : null}
      </Section>
    </>
  )
}

function RunSettings({ orgId, pipeline, canWrite }: { orgId: string; pipeline: PipelineSummary; canWrite: boolean }) {
  const workflow = useApi<Workflow>(`${pipelinePath(orgId, pipeline.id)}/workflow`)
  const missing = workflow.error instanceof ApiError && workflow.error.status === 404 && !canWrite
  return (
    <Section title="Run settings" id="run-settings" description="How long a run may take, how often a failed one is tried again, and how the pipeline is filed.">
      {missing ? (
        <Alert tone="info">The run settings appear after the pipeline’s first run.</Alert>
      ) : (
        <Loader state={workflow} label="Loading run settings…">
          {(data) =>
            canWrite ? (
              <WorkflowSettingsForm
                key={data.id}
                orgId={orgId}
                workflow={data}
                pipeline={pipeline}
                onSaved={workflow.reload}
              />
            ) : (
              <WorkflowSettingsView workflow={data} pipeline={pipeline} />
            )
          }
        </Loader>
      )}
    </Section>
  )
}
