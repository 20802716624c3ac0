import { useEffect, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { SelectField, TextField } from '../../components/Field.tsx'
import { KeyValueEditor } from '../../components/KeyValueEditor.tsx'
import { Spinner } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { api, errorMessage } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { Metric } from '../metrics/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import type { ChartType, SeriesAnswer } from './chartOption.ts'
import { previewBody, RANGES, readState, writeState, type ExploreState } from './exploreQuery.ts'
import { SeriesChart } from './SeriesChart.tsx'

type Preview = { status: 'ok'; series: SeriesAnswer } | { status: 'error'; error: { code: string; message: string } }

const AGGREGATIONS = [
  { value: '', label: 'Default' },
  { value: 'sum', label: 'Sum' },
  { value: 'avg', label: 'Average' },
  { value: 'count', label: 'Count' },
  { value: 'min', label: 'Minimum' },
  { value: 'max', label: 'Maximum' },
]
const BUCKETS = ['auto', '1m', '5m', '15m', '1h', '1d', '1w', '1mo'].map((value) => ({ value, label: value === 'auto' ? 'Automatic' : value }))
const CHARTS: Array<{ value: ChartType; label: string }> = [
  { value: 'line_chart', label: 'Line' },
  { value: 'area_chart', label: 'Area' },
  { value: 'bar_chart', label: 'Bars' },
  { value: 'pie_chart', label: 'Pie' },
]

/**
 * Explore: build a widget's data query in a form (source, field, aggregation, bucket, group by,
 * filters) and see it drawn, straight from the series engine. The state lives in the URL.
 */
export function PageExplore() {
  const { org } = useOrg()
  const [params, setParams] = useSearchParams()
  const state = readState(params)
  // Reads the address at call time, not the render's copy: two changes before the next render
  // (a filter typed, then a bucket picked) must both survive.
  const set = (change: Partial<ExploreState>) =>
    setParams(writeState({ ...readState(new URLSearchParams(window.location.search)), ...change }), { replace: true })
  const metrics = useApi<{ metrics: Metric[] }>(`/orgs/${org.id}/metrics`)
  const pipelines = useApi<{ pipelines: Array<{ id: string; name: string }> }>(`/orgs/${org.id}/pipelines`)
  const [preview, setPreview] = useState<{ key: string; result?: Preview; error?: string }>({ key: '' })
  // Rows being typed (an empty new row) live here; the address keeps only complete filters.
  const [filterRows, setFilterRows] = useState(state.filters)

  const key = params.toString()
  useEffect(() => {
    const body = previewBody(readState(new URLSearchParams(key)), Date.now())
    if (!body) return
    let current = true
    setPreview((previous) => ({ ...previous, key }))
    api.post<Preview>(`/orgs/${org.id}/widgets/preview`, body).then(
      (result) => current && setPreview({ key, result }),
      (error: unknown) => current && setPreview({ key, error: errorMessage(error) }),
    )
    return () => {
      current = false
    }
  }, [org.id, key])

  const sources = state.source === 'metric'
    ? (metrics.data?.metrics ?? []).map((m) => ({ value: m.id, label: m.displayName }))
    : (pipelines.data?.pipelines ?? []).map((p) => ({ value: p.id, label: p.name }))
  const metric = metrics.data?.metrics.find((m) => m.id === state.sourceId)
  const loaded = state.source === 'metric' ? metrics.data : pipelines.data

  return (
    <div className="page">
      <PageHeader title="Explore" description="Chart any metric or pipeline field: pick the source, how to aggregate it and how to split it. Copy the address to share the view." />
      <div className="explore">
        <form className="card explore-form" aria-label="Data query" onSubmit={(event) => event.preventDefault()}>
          <SelectField label="Source" name="source" value={state.source} onChange={(source) => {
              setFilterRows([])
              set({ source: source as ExploreState['source'], sourceId: '', field: '', filters: [] })
            }}
            options={[{ value: 'metric', label: 'Metric' }, { value: 'pipeline', label: 'Pipeline field' }]} />
          <SelectField label={state.source === 'metric' ? 'Metric' : 'Pipeline'} name="sourceId" value={state.sourceId} onChange={(sourceId) => set({ sourceId })}
            options={[{ value: '', label: loaded ? 'Choose…' : 'Loading…' }, ...sources]} />
          {state.source === 'pipeline' ? (
            <TextField label="Field" name="field" value={state.field} onChange={(field) => set({ field })} placeholder="amount or order.total" hint="A numeric field of the records; empty: count records." />
          ) : null}
          <SelectField label="Aggregation" name="aggregation" value={state.aggregation} onChange={(aggregation) => set({ aggregation })} options={AGGREGATIONS} />
          <SelectField label="Bucket" name="bucket" value={state.bucket} onChange={(bucket) => set({ bucket })} options={BUCKETS} />
          <TextField label="Group by" name="groupBy" value={state.groupBy} onChange={(groupBy) => set({ groupBy })}
            placeholder={state.source === 'metric' ? 'a dimension, e.g. region' : 'a field, e.g. country'} hint="The 20 largest groups keep their name; the rest are “other”." />
          {state.source === 'metric' ? (
            <KeyValueEditor legend="Filters" keyLabel="Dimension" valueLabel="Value" addLabel="Add filter" rows={filterRows}
              onChange={(rows) => {
                setFilterRows(rows)
                set({ filters: rows.map((row) => ({ key: row.key, value: row.value })) })
              }} />
          ) : null}
          <SelectField label="Time range" name="range" value={state.range} onChange={(range) => set({ range })} options={RANGES.map((r) => ({ value: r.value, label: r.label }))} />
          <SelectField label="Chart" name="chart" value={state.chart} onChange={(chart) => set({ chart: chart as ChartType })} options={CHARTS} />
        </form>
        <section className="card explore-result" aria-live="polite">
          {!state.sourceId ? (
            loaded && sources.length === 0 ? (
              <EmptyState title={state.source === 'metric' ? 'No metrics yet' : 'No pipelines yet'}
                action={<Link className="btn btn--primary" to={`/orgs/${org.id}/${state.source === 'metric' ? 'metrics/new' : 'pipelines/new'}`}>{state.source === 'metric' ? 'New metric' : 'New pipeline'}</Link>}>
                Create one and send it data, then come back to chart it.
              </EmptyState>
            ) : (
              <EmptyState title="Choose what to chart">Pick a metric or a pipeline on the left; the chart appears here.</EmptyState>
            )
          ) : preview.error ? (
            <Alert title="The query could not run">{preview.error}</Alert>
          ) : preview.result?.status === 'error' ? (
            <Alert title="This query can’t run as set up">{preview.result.error.message}</Alert>
          ) : preview.result?.status === 'ok' ? (
            <>
              <SeriesChart type={state.chart} answer={preview.result.series} unit={metric?.unit} label={`${metric?.displayName ?? 'Series'} chart`} />
              <p className="muted small">
                {preview.result.series.points.length} points · buckets of {preview.result.series.bucket} · {preview.result.series.agg} · served from {preview.result.series.source} storage · as of {formatDateTime(preview.result.series.asOf)}
                {preview.key !== key ? ' · updating…' : ''}
              </p>
            </>
          ) : (
            <Spinner label="Running the query…" />
          )}
        </section>
      </div>
    </div>
  )
}
