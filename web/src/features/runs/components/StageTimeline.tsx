import { ProgressBar } from '../../../components/ProgressBar.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import type { Stage } from '../api.ts'
import { formatCount, formatDuration, formatRate } from '../runFormat.ts'
import { stageBars, stageStatusLabel, stageStatusTone, stageTitle, withPlaceholders, type StageBar } from '../runStatus.ts'

function hasOutput(output: unknown): boolean {
  return output !== null && output !== undefined && !(typeof output === 'object' && Object.keys(output).length === 0)
}

/** Why a stage was skipped, when its output says ("The pipeline has no active sinks"). */
function skipReason(output: unknown): string | undefined {
  if (output && typeof output === 'object' && 'reason' in output && typeof output.reason === 'string') {
    return output.reason
  }
  return undefined
}

function Metric({ label, value, tone }: { label: string; value: string; tone?: 'danger' }) {
  return (
    <div className={`stage-metric${tone ? ` stage-metric--${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  )
}

function StageItem({ stage, bar, index }: { stage: Stage; bar: StageBar | null; index: number }) {
  const title = stageTitle(stage)
  const running = stage.status === 'InProgress'
  const tone = stageStatusTone(stage.status)
  const headingId = `stage-${stage.order}-heading`
  return (
    <li className={`stage stage--${tone}`} aria-labelledby={headingId}>
      <div className="stage-marker" aria-hidden="true">
        {index + 1}
      </div>
      <div className="stage-body">
        <div className="stage-header">
          <h3 id={headingId}>{title}</h3>
          <StatusBadge label={stageStatusLabel(stage.status)} tone={tone} />
          <span className="stage-duration">{bar ? formatDuration(bar.seconds) : stage.status === 'Skipped' ? 'skipped' : 'not started'}</span>
        </div>
        <div className="stage-track" aria-hidden="true">
          {bar ? <span className={`stage-bar stage-bar--${tone}`} style={{ marginLeft: `${bar.offset}%`, width: `${bar.width}%` }} /> : null}
        </div>
        {running && stage.itemsToProcess > 0 ? <ProgressBar value={stage.progressPercentage} label={`${title} progress`} /> : null}
        {stage.startedAt ? (
          <dl className="stage-metrics">
            {stage.itemsToProcess > 0 ? <Metric label="To process" value={formatCount(stage.itemsToProcess)} /> : null}
            <Metric label="Processed" value={formatCount(stage.itemsProcessed)} />
            <Metric label="Successful" value={formatCount(stage.itemsSuccessful)} />
            <Metric label="Failed" value={formatCount(stage.itemsFailed)} tone={stage.itemsFailed > 0 ? 'danger' : undefined} />
            {stage.throughputPerSecond !== null ? <Metric label="Throughput" value={formatRate(stage.throughputPerSecond, stage.type === 'fetching' ? 'pages' : 'items')} /> : null}
          </dl>
        ) : null}
        {stage.status === 'Skipped' && skipReason(stage.output) ? <p className="muted small stage-note">{skipReason(stage.output)}</p> : null}
        {stage.errorMessage ? <p className="stage-error">{stage.errorMessage}</p> : null}
        {hasOutput(stage.output) ? (
          <details className="stage-output">
            <summary>
              Output<span className="visually-hidden"> of {title}</span>
            </summary>
            <pre>{JSON.stringify(stage.output, null, 2)}</pre>
          </details>
        ) : null}
      </div>
    </li>
  )
}

/**
 * A run's stages in order (fetching → processing → storing → sinks), each with its status,
 * counts, and a bar on one shared time axis so the slow stage stands out.
 */
export function StageTimeline({ stages, now = Date.now() }: { stages: Stage[]; now?: number }) {
  const ordered = withPlaceholders(stages)
  const bars = stageBars(ordered, now)
  return (
    <ol className="stage-timeline" aria-label="Stages">
      {ordered.map((stage, index) => (
        <StageItem key={stage.id} stage={stage} bar={bars[index] ?? null} index={index} />
      ))}
    </ol>
  )
}
