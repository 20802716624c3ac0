import { StatusBadge } from '../../../components/StatusBadge.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import type { ResultDetails, RowFailure } from '../api.ts'
import { resultSummary } from '../checkForm.ts'

export function PassedBadge({ passed }: { passed: boolean | null }) {
  if (passed === null) {
    return <StatusBadge label="Not run yet" tone="muted" />
  }
  return passed ? <StatusBadge label="Passed" tone="success" /> : <StatusBadge label="Failed" tone="danger" />
}

function showValue(value: unknown): string {
  if (value === undefined) {
    return ''
  }
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 79)}…` : text
}

/** Up to 10 failing rows the server kept as examples: row number in the batch, field, why, and the value. */
export function FailureExamples({ failures }: { failures: RowFailure[] }) {
  if (failures.length === 0) {
    return null
  }
  return (
    <ul className="failure-list" aria-label="Example failures">
      {failures.map((failure, index) => (
        <li key={`${failure.index}-${failure.field ?? ''}-${index}`}>
          <span className="muted">Row {failure.index + 1}:</span> {failure.field ? <code>{failure.field}</code> : null} {failure.reason}
          {failure.value !== undefined ? <code className="failure-value"> {showValue(failure.value)}</code> : null}
        </li>
      ))}
    </ul>
  )
}

/** A verdict in words with its badge, when, and the example failures. */
export function CheckResultView({ passed, result, executedAt, label }: { passed: boolean | null; result: ResultDetails | null; executedAt: string | null; label?: string }) {
  return (
    <div className="check-result" role="group" aria-label={label ?? 'Latest result'}>
      <p className="check-result-line">
        <PassedBadge passed={passed} />
        {result ? <span>{resultSummary(result)}</span> : <span className="muted">Evaluated on the next pushed batch or run, or with Run now.</span>}
        {executedAt ? (
          <span className="muted small" title={formatDateTime(executedAt)}>
            {formatRelative(executedAt)}
          </span>
        ) : null}
      </p>
      {result?.failures && result.failures.length > 0 ? <FailureExamples failures={result.failures} /> : null}
    </div>
  )
}
