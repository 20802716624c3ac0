import { useState } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { errorMessage } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { canWrite } from '../data-sources/api.ts'
import { pipelinesApi, type Pipeline } from '../pipelines/api.ts'
import { usePipeline } from '../pipelines/PipelineLayout.tsx'
import { checksPath, pausingCheckName, type QualityCheck } from './api.ts'
import { CheckCard } from './components/CheckCard.tsx'
import { QualityCheckForm } from './components/QualityCheckForm.tsx'

export function PagePipelineQuality() {
  const { org, pipeline, reload } = usePipeline()
  const writer = canWrite(org.role)
  const checks = useApi<{ checks: QualityCheck[] }>(checksPath(org.id, pipeline.id))
  const pausedBy = pipeline.status === 'paused' ? pausingCheckName(pipeline.statusReason) : undefined
  const handleChanged = () => {
    checks.reload()
    reload()
  }

  return (
    <>
      {pausedBy !== undefined ? <PausedByCheck orgId={org.id} pipeline={pipeline} checkName={pausedBy} writer={writer} onResumed={reload} /> : null}
      <Section
        title="Data quality checks"
        id="quality-checks"
        description="Completeness, accuracy and consistency checks judge every pushed batch and every run; freshness checks run every minute. A failing check either warns or pauses the pipeline."
      >
        <Loader state={checks} label="Loading checks…">
          {(data) =>
            data.checks.length === 0 ? (
              <EmptyState
                title="No quality checks yet"
                action={
                  writer ? (
                    <a className="btn btn--primary" href="#add-check">
                      Add a check
                    </a>
                  ) : undefined
                }
              >
                {writer ? 'Add one below: required fields, value ranges, expected types or how fresh the data must be.' : 'Owners, admins and members can add checks.'}
              </EmptyState>
            ) : (
              <ul className="check-list" aria-label="Quality checks">
                {data.checks.map((check) => (
                  <CheckCard key={`${check.id}-${check.updatedAt}`} orgId={org.id} pipelineId={pipeline.id} check={check} writer={writer} paused={check.name === pausedBy} onChanged={handleChanged} />
                ))}
              </ul>
            )
          }
        </Loader>
      </Section>
      {writer ? (
        <Section title="Add a check" id="add-check">
          <QualityCheckForm orgId={org.id} pipelineId={pipeline.id} onSaved={handleChanged} />
        </Section>
      ) : null}
    </>
  )
}

/** The pipeline is paused because a check failed: which one, why, and Resume (the Overview's resume call). */
function PausedByCheck({ orgId, pipeline, checkName, writer, onResumed }: { orgId: string; pipeline: Pipeline; checkName: string; writer: boolean; onResumed: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const handleResume = () => {
    setBusy(true)
    setError(undefined)
    pipelinesApi
      .resume(orgId, pipeline.id)
      .then(onResumed)
      .catch((caught: unknown) => {
        setError(errorMessage(caught))
        setBusy(false)
      })
  }
  return (
    <Alert tone="warning" title={`Paused by the check “${checkName}”`} className="paused-by-check">
      <p>{pipeline.statusReason}</p>
      {writer ? (
        <div className="inline-actions">
          <Button variant="primary" busy={busy} busyLabel="Resuming…" onClick={handleResume}>
            Resume pipeline
          </Button>
          <span className="muted small">Fix the data or the check first, or it may pause again on the next batch.</span>
        </div>
      ) : null}
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </Alert>
  )
}
