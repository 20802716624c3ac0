import { EmptyState } from '../../../components/EmptyState.tsx'
import { ProgressBar } from '../../../components/ProgressBar.tsx'
import { StatusBadge } from '../../../components/StatusBadge.tsx'
import type { Processing } from '../api.ts'
import { formatCount, formatDuration, formatPercent, formatRate } from '../runFormat.ts'
import { runStatusTone } from '../runStatus.ts'

interface QualityMetrics {
  filtered?: number
  errorsByCode?: Record<string, number>
}

interface FailedItem {
  index?: number
  code?: string
  message?: string
  field?: string
}

const asRecord = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {})

function qualityOf(value: unknown): QualityMetrics {
  const metrics = asRecord(value)
  const errors = asRecord(metrics.errorsByCode)
  return {
    filtered: typeof metrics.filtered === 'number' ? metrics.filtered : undefined,
    errorsByCode: Object.fromEntries(Object.entries(errors).filter((entry): entry is [string, number] => typeof entry[1] === 'number')),
  }
}

function failedItemsOf(value: unknown): FailedItem[] {
  return Array.isArray(value) ? value.map((item) => asRecord(item) as FailedItem) : []
}

function scoreTone(score: number): 'success' | 'primary' | 'danger' {
  return score >= 99 ? 'success' : score >= 80 ? 'primary' : 'danger'
}

function ProcessingEntry({ entry, attempt }: { entry: Processing; attempt: number | null }) {
  const quality = qualityOf(entry.qualityMetrics)
  const failedItems = failedItemsOf(entry.failedItems)
  const errorCodes = Object.entries(quality.errorsByCode ?? {})
  const status = entry.status === 'Success' || entry.status === 'Failed' || entry.status === 'InProgress' ? entry.status : null
  return (
    <li className="processing-entry">
      <div className="processing-head">
        {attempt !== null ? <h3>Attempt {attempt}</h3> : null}
        <StatusBadge label={entry.status} tone={status ? runStatusTone(status) : 'muted'} />
        <span className="muted small">
          {entry.processingType ?? 'mapping'}
          {entry.processingAlgorithm ? ` · ${entry.processingAlgorithm}` : ''} · {formatDuration(entry.processingTimeSeconds)} · {formatRate(entry.itemsPerSecond, 'records')}
        </span>
      </div>
      <div className="quality">
        <span className="quality-label">Quality score</span>
        {entry.accuracyScore !== null ? (
          <ProgressBar value={entry.accuracyScore} label="Quality score" tone={scoreTone(entry.accuracyScore)} />
        ) : (
          <span className="muted">no records to score</span>
        )}
      </div>
      <dl className="stage-metrics">
        <div className="stage-metric">
          <dt>Records in</dt>
          <dd>{formatCount(entry.numberOfProcessingContent)}</dd>
        </div>
        <div className="stage-metric">
          <dt>Rows out</dt>
          <dd>{formatCount(entry.contentSuccessful)}</dd>
        </div>
        <div className={`stage-metric${entry.contentFailed > 0 ? ' stage-metric--danger' : ''}`}>
          <dt>Rejected</dt>
          <dd>{formatCount(entry.contentFailed)}</dd>
        </div>
        <div className="stage-metric">
          <dt>Filtered out</dt>
          <dd>{formatCount(quality.filtered ?? null)}</dd>
        </div>
        <div className="stage-metric">
          <dt>Accuracy</dt>
          <dd>{formatPercent(entry.accuracyScore)}</dd>
        </div>
      </dl>
      {errorCodes.length > 0 ? (
        <p className="small">
          Errors by kind:{' '}
          {errorCodes.map(([code, count]) => (
            <span key={code} className="badge badge--danger">
              {code} × {formatCount(count)}
            </span>
          ))}
        </p>
      ) : null}
      {entry.errorMessage ? <p className="stage-error">{entry.errorMessage}</p> : null}
      {failedItems.length > 0 ? (
        <details className="stage-output">
          <summary>
            Rejected records ({formatCount(failedItems.length)}
            {entry.contentFailed > failedItems.length ? ` of ${formatCount(entry.contentFailed)}` : ''})
          </summary>
          <ul className="failed-items">
            {failedItems.map((item, index) => (
              <li key={`${item.index ?? index}-${item.code ?? ''}-${index}`}>
                <span className="mono">#{item.index ?? '?'}</span> {item.field ? <code>{item.field}</code> : null} {item.message ?? item.code ?? 'rejected'}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  )
}

/** How well each processing attempt mapped the fetched records: its quality score and what it rejected. */
export function ProcessingHistory({ history, active }: { history: Processing[]; active: boolean }) {
  if (history.length === 0) {
    return <EmptyState title={active ? 'Not processed yet' : 'Nothing was processed'}>{active ? 'The quality of the mapping shows here once the processing stage has run.' : 'The run ended before its processing stage.'}</EmptyState>
  }
  return (
    <ul className="processing-list">
      {history.map((entry, index) => (
        <ProcessingEntry key={entry.id} entry={entry} attempt={history.length > 1 ? index + 1 : null} />
      ))}
    </ul>
  )
}
