import { useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { RecordsTable } from '../../../components/RecordsTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import { ApiError, errorMessage } from '../../../lib/api.ts'
import { formatDateTime } from '../../../lib/format.ts'
import { pipelinesApi, type MappingSpec, type PreviewResult } from '../api.ts'
import { errorsFromDetails, type MappingErrors } from '../mapping.ts'
import { parseSample } from '../sample.ts'

/**
 * Runs the mapping as edited (not saved) over the sample: the rows it would store and each
 * record's error. A mapping the server refuses puts its messages on the editor's inputs.
 */
export function PreviewPanel({
  orgId,
  sample,
  onSampleChange,
  buildSpec,
  onMappingErrors,
}: {
  orgId: string
  sample: string
  onSampleChange: (sample: string) => void
  /** The spec to preview, or undefined when the editor's own checks failed (it shows why). */
  buildSpec: () => MappingSpec | undefined
  onMappingErrors: (errors: MappingErrors) => void
}) {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<PreviewResult | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [sampleError, setSampleError] = useState<string | undefined>(undefined)

  const handlePreview = () => {
    setError(undefined)
    setSampleError(undefined)
    const parsed = parseSample(sample)
    if (!parsed.ok) {
      setSampleError(parsed.error)
      return
    }
    const spec = buildSpec()
    if (!spec) {
      setResult(undefined)
      setError('Fix the highlighted mapping fields first.')
      return
    }
    setBusy(true)
    pipelinesApi
      .preview(orgId, spec, parsed.records)
      .then((outcome) => {
        setResult(outcome)
        onMappingErrors({})
      })
      .catch((caught: unknown) => {
        setResult(undefined)
        if (caught instanceof ApiError && caught.details.length > 0) {
          onMappingErrors(errorsFromDetails(caught.details))
        }
        setError(errorMessage(caught))
      })
      .finally(() => setBusy(false))
  }

  return (
    <div className="stack preview-panel">
      <TextAreaField
        label="Sample records (JSON)"
        name="sample"
        rows={10}
        className="mono-input"
        value={sample}
        onChange={onSampleChange}
        error={sampleError}
        spellCheck={false}
        hint="A JSON array of records, one object, or one record per line (NDJSON)."
      />
      <div className="inline-actions">
        <Button variant="secondary" busy={busy} busyLabel="Previewing…" onClick={handlePreview}>
          Preview
        </Button>
        <span className="muted small">Nothing is saved or stored.</span>
      </div>
      {error ? <Alert title="The preview failed">{error}</Alert> : null}
      {result ? <PreviewResultView result={result} /> : null}
    </div>
  )
}

function PreviewResultView({ result }: { result: PreviewResult }) {
  return (
    <div className="stack" role="region" aria-label="Preview result">
      <p role="status">
        <strong>{result.rows.length}</strong> {result.rows.length === 1 ? 'row' : 'rows'} would be stored, <strong>{result.errors.length}</strong> {result.errors.length === 1 ? 'record' : 'records'} rejected, <strong>{result.filtered}</strong> filtered out.
      </p>
      <RecordsTable
        rows={result.rows}
        record={(row) => row.data}
        rowKey={(row) => row.index}
        lead={[
          { header: 'Record', className: 'muted', cell: (row) => `#${row.index + 1}` },
          { header: 'Record time', className: 'nowrap small', cell: (row) => (row.recordTime ? formatDateTime(row.recordTime) : <span className="muted">ingestion time</span>) },
        ]}
        empty={<EmptyState title="No rows">Every record was rejected or filtered out.</EmptyState>}
      />
      {result.errors.length > 0 ? (
        <>
          <h3>Rejected records</h3>
          <ul className="preview-errors">
            {result.errors.map((error, i) => (
              <li key={`${error.index}-${i}`}>
                <span className="badge badge--danger">{`Record #${error.index + 1}`}</span>
                {error.field ? <span className="mono">{error.field}</span> : null} <span className="muted small">{error.code}</span> {error.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  )
}
