import { Fragment, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { formatJsonValue } from '../../../components/RecordsTable.tsx'
import { dataSourcesApi, type TestResult } from '../api.ts'

/** "Test connection" and its verdict: the latency on success, the exact failure otherwise. */
export function ConnectionTest({ orgId, sourceId, lastError, onTested }: { orgId: string; sourceId: string; lastError: string | null; onTested: () => void }) {
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<TestResult | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  const handleTest = () => {
    setBusy(true)
    setResult(undefined)
    setError(undefined)
    dataSourcesApi
      .test(orgId, sourceId)
      .then((outcome) => {
        setResult(outcome)
        onTested()
      })
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setBusy(false))
  }

  return (
    <div className="section-block">
      {lastError && !result && !busy ? (
        <Alert title="Last check failed">
          <p className="mono">{lastError}</p>
        </Alert>
      ) : null}
      <Button variant="secondary" busy={busy} busyLabel="Testing…" onClick={handleTest}>
        Test connection
      </Button>
      {error ? <Alert title="The test could not run">{error}</Alert> : null}
      {result?.ok === true ? (
        <Alert tone="success" title={`Connection succeeded in ${result.latencyMs} ms`}>
          {Object.keys(result.details).length > 0 ? (
            <dl className="details">
              {Object.entries(result.details).map(([key, value]) => (
                <Fragment key={key}>
                  <dt>{key}</dt>
                  <dd className="mono">{formatJsonValue(value)}</dd>
                </Fragment>
              ))}
            </dl>
          ) : null}
        </Alert>
      ) : null}
      {result?.ok === false ? (
        <Alert title={`Connection failed after ${result.latencyMs} ms`}>
          <p className="mono">{result.error}</p>
        </Alert>
      ) : null}
    </div>
  )
}
