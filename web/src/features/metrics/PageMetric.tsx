import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { CodeBlock } from '../../components/CodeBlock.tsx'
import { LineChart, type ReferenceLine } from '../../components/LineChart.tsx'
import { LoadError, Loader, Spinner } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canWrite } from '../data-sources/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { SOURCE_LABELS, type Metric, type Series } from './api.ts'
import { KpiSection } from './KpiSection.tsx'
import { curlExample, RANGES, rangeFor, thresholdLevel, type RangeKey } from './metricMath.ts'

const RANGE_LABELS: Record<RangeKey, string> = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' }

export function PageMetric() {
  const { org } = useOrg()
  const { metricId } = useParams()
  const [range, setRange] = useState<RangeKey>('24h')
  const metric = useApi<Metric>(`/orgs/${org.id}/metrics/${metricId}`)
  const window = useMemo(() => rangeFor(range, new Date()), [range])
  const series = useApi<Series>(metric.data ? `/orgs/${org.id}/metrics/${metricId}/series` : null, {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    bucket: 'auto',
    agg: metric.data?.aggregationType,
  })
  return (
    <Loader state={metric} label="Loading the metric…">
      {(m) => {
        const refs: ReferenceLine[] = [
          ...(m.thresholds.warning != null ? [{ value: m.thresholds.warning, label: `warning ${m.thresholds.warning}`, tone: 'warning' as const }] : []),
          ...(m.thresholds.critical != null ? [{ value: m.thresholds.critical, label: `critical ${m.thresholds.critical}`, tone: 'danger' as const }] : []),
        ]
        const points = (series.data?.points ?? []).map((p) => ({ t: Date.parse(p.t), value: p.value }))
        const level = thresholdLevel(points[points.length - 1]?.value ?? null, m.thresholds)
        return (
          <div className="page">
            <PageHeader
              title={m.displayName}
              description={`${m.name} · ${SOURCE_LABELS[m.source]} · ${m.aggregationType} of ${m.unit}${m.isActive ? '' : ' · inactive'}`}
              actions={canWrite(org.role) ? <Link className="btn btn--secondary" to={`/orgs/${org.id}/metrics/${m.id}/edit`}>Edit</Link> : undefined}
            />
            {m.lastCalculationError ? <Alert tone="warning" title="The last calculation failed">{m.lastCalculationError}</Alert> : null}
            <Section
              title="Series"
              actions={
                <div role="group" aria-label="Time range" className="button-group">
                  {(Object.keys(RANGES) as RangeKey[]).map((key) => (
                    <button key={key} type="button" className={`btn btn--${key === range ? 'primary' : 'secondary'}`} aria-pressed={key === range} onClick={() => setRange(key)}>{RANGE_LABELS[key]}</button>
                  ))}
                </div>
              }
            >
              {series.error !== undefined ? <LoadError error={series.error} onRetry={series.reload} /> : series.data === undefined ? <Spinner label="Loading the series…" /> : (
                <>
                  <LineChart label={`${m.displayName}, ${RANGE_LABELS[range]}`} points={points} references={refs} from={window.from.getTime()} to={window.to.getTime()} />
                  <p className="muted small">
                    Buckets of {series.data.bucket} · served from {series.data.source} storage · as of {formatDateTime(series.data.asOf)}
                    {level !== 'ok' ? <strong className="text-danger"> · latest value is over the {level} threshold</strong> : null}
                  </p>
                </>
              )}
            </Section>
            <KpiSection orgId={org.id} metric={m} writer={canWrite(org.role)} />
            <Section title="Push points" description="With an API key that has the ingest scope: a JSON array or NDJSON, gzip allowed. Invalid points are listed in errors; add ?atomic=true to store all or nothing.">
              <CodeBlock label="curl" code={curlExample(globalThis.location?.origin ?? '', org.id, m.id, new Date())} />
              <p className="muted small">Many metrics at once: POST /api/v1/orgs/{org.id}/metrics/points with [{'{'}"metric": "{m.name}", "timestamp", "value"{'}'}].</p>
            </Section>
          </div>
        )
      }}
    </Loader>
  )
}
