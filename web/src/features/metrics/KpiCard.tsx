import { useMemo, useState } from 'react'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { ProgressBar } from '../../components/ProgressBar.tsx'
import { StatusBadge } from '../../components/StatusBadge.tsx'
import { useApi } from '../../lib/useApi.ts'
import { kpisApi, type Kpi, type Metric, type Series } from './api.ts'
import { KpiForm } from './KpiForm.tsx'
import { alertsText, kpiState, periodText, targetText } from './kpiStatus.ts'
import { combine, formatNumber, periodRange } from './metricMath.ts'

const PERIOD_LABELS: Record<Kpi['timePeriod'], string> = { daily: 'Today', weekly: 'This week', monthly: 'This month', quarterly: 'This quarter' }

/** One KPI: its attainment in the current period (value against target, status, the period's bounds), its alerts, and Edit / Delete. */
export function KpiCard({ orgId, metric, kpi, writer, onChanged }: { orgId: string; metric: Metric; kpi: Kpi; writer: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState(false)
  const headingId = `kpi-${kpi.id}`
  return (
    <li className={`kpi-card${kpi.isActive ? '' : ' kpi-card--inactive'}`} aria-labelledby={headingId}>
      {editing ? (
        <>
          <h3 id={headingId}>Edit {kpi.name}</h3>
          <KpiForm
            orgId={orgId}
            metric={metric}
            existing={kpi}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false)
              onChanged()
            }}
          />
        </>
      ) : (
        <>
          <Attainment orgId={orgId} metric={metric} kpi={kpi} headingId={headingId} />
          {writer ? (
            <div className="inline-actions">
              <Button variant="ghost" onClick={() => setEditing(true)} aria-label={`Edit ${kpi.name}`}>
                Edit
              </Button>
              <ConfirmButton
                label="Delete"
                subject={`KPI ${kpi.name}`}
                onConfirm={async () => {
                  await kpisApi.remove(orgId, kpi.id)
                  onChanged()
                }}
              />
            </div>
          ) : null}
        </>
      )}
    </li>
  )
}

function Attainment({ orgId, metric, kpi, headingId }: { orgId: string; metric: Metric; kpi: Kpi; headingId: string }) {
  // The current period's series, one value per bucket, combined with the metric's aggregation.
  const period = useMemo(() => periodRange(kpi.timePeriod, new Date()), [kpi.timePeriod])
  const series = useApi<Series>(`/orgs/${orgId}/metrics/${metric.id}/series`, { from: period.from.toISOString(), to: period.to.toISOString(), bucket: 'auto', agg: metric.aggregationType })
  const value = series.data ? combine(series.data.points, metric.aggregationType) : null
  const state = kpiState(kpi, value)
  const unit = metric.unit ? ` ${metric.unit}` : ''
  return (
    <>
      <div className="kpi-card-header">
        <h3 id={headingId}>{kpi.name}</h3>
        {!kpi.isActive ? (
          <StatusBadge label="Inactive" tone="muted" />
        ) : series.error !== undefined ? (
          <StatusBadge label="Unavailable" tone="muted" />
        ) : series.data === undefined ? null : (
          <StatusBadge label={state.label} tone={state.tone} />
        )}
      </div>
      {kpi.description ? <p className="muted small">{kpi.description}</p> : null}
      <dl className="kpi-figures">
        <div>
          <dt>{PERIOD_LABELS[kpi.timePeriod]}</dt>
          <dd className={`kpi-value kpi-value--${series.data === undefined ? 'muted' : state.tone}`}>
            {series.error !== undefined ? '—' : series.data === undefined ? 'Loading…' : value === null ? 'No data' : formatNumber(value)}
            {value !== null && metric.unit ? <span className="kpi-unit"> {metric.unit}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd className="kpi-target">
            {targetText(kpi)}
            {unit}
          </dd>
        </div>
        <div>
          <dt>Period</dt>
          <dd>
            {periodText(kpi.timePeriod, period)} <span className="muted small">({kpi.timePeriod})</span>
          </dd>
        </div>
      </dl>
      {series.error !== undefined ? (
        <p className="muted small">Attainment unavailable: the series could not be loaded.</p>
      ) : series.data === undefined ? null : (
        <div className="kpi-progress">
          {state.percent !== null ? <ProgressBar value={state.percent} label={`Attainment of ${kpi.name}`} tone={state.tone === 'success' ? 'success' : state.tone === 'danger' ? 'danger' : 'primary'} /> : null}
          <span className="small">{state.text}</span>
        </div>
      )}
      <p className="muted small">Alerts: {alertsText(kpi)}</p>
    </>
  )
}
