import { useState } from 'react'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { useApi } from '../../lib/useApi.ts'
import type { Kpi, Metric } from './api.ts'
import { KpiCard } from './KpiCard.tsx'
import { KpiForm } from './KpiForm.tsx'

/** The metric page's KPIs: each one's attainment this period, and (for writers) add, edit and delete. */
export function KpiSection({ orgId, metric, writer }: { orgId: string; metric: Metric; writer: boolean }) {
  const kpis = useApi<{ kpis: Kpi[] }>(`/orgs/${orgId}/kpis`, { metricId: metric.id })
  const [adding, setAdding] = useState(false)
  const addButton = (label: string) =>
    writer && !adding ? (
      <Button variant="primary" onClick={() => setAdding(true)}>
        {label}
      </Button>
    ) : undefined
  // With no KPI yet, the empty state carries the call to action instead of the header.
  const any = (kpis.data?.kpis.length ?? 0) > 0

  return (
    <Section title="KPIs" id="kpis" description="Targets for this metric. Attainment is the metric's value over the current period, combined with its aggregation." actions={any ? addButton('Add KPI') : undefined}>
      {adding ? (
        <div className="subcard kpi-new">
          <h3>New KPI</h3>
          <KpiForm
            orgId={orgId}
            metric={metric}
            onCancel={() => setAdding(false)}
            onSaved={() => {
              setAdding(false)
              kpis.reload()
            }}
          />
        </div>
      ) : null}
      <Loader state={kpis} label="Loading KPIs…">
        {(data) =>
          data.kpis.length === 0 ? (
            adding ? null : (
              <EmptyState title="No KPIs on this metric yet" action={addButton('Add a KPI')}>
                {writer ? 'A KPI sets a target for a period (at least 1,000 orders a day, say) and shows how far along the period is.' : 'Owners, admins and members can add KPIs.'}
              </EmptyState>
            )
          ) : (
            <ul className="kpi-list" aria-label="KPIs">
              {data.kpis.map((kpi) => (
                <KpiCard key={`${kpi.id}-${kpi.updatedAt}`} orgId={orgId} metric={metric} kpi={kpi} writer={writer} onChanged={kpis.reload} />
              ))}
            </ul>
          )
        }
      </Loader>
    </Section>
  )
}
