import { useEffect, useRef, useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import { SelectField, TextField } from '../../components/Field.tsx'
import { Form, FormActions } from '../../components/Form.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { TextAreaField } from '../../components/TextAreaField.tsx'
import { api } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import type { Metric, MetricSource } from './api.ts'

interface Draft {
  name: string
  displayName: string
  description: string
  unit: string
  aggregationType: string
  source: MetricSource
  pipelineId: string
  valuePath: string
  dimensionPaths: string
  dataSourceId: string
  calculationMethod: string
  refreshFrequency: string
  warning: string
  critical: string
  direction: 'above' | 'below'
  tags: string
}

const EMPTY: Draft = { name: '', displayName: '', description: '', unit: 'count', aggregationType: 'sum', source: 'push', pipelineId: '', valuePath: '$.', dimensionPaths: '', dataSourceId: '', calculationMethod: 'select sum(total) as value from orders', refreshFrequency: '300', warning: '', critical: '', direction: 'above', tags: '' }

function fromMetric(m: Metric): Draft {
  return {
    ...EMPTY,
    ...m,
    description: m.description ?? '',
    pipelineId: m.pipelineId ?? '',
    valuePath: m.valuePath ?? '$.',
    dimensionPaths: Object.entries(m.dimensionPaths).map(([k, v]) => `${k}=${v}`).join('\n'),
    dataSourceId: m.dataSourceId ?? '',
    calculationMethod: m.calculationMethod || EMPTY.calculationMethod,
    refreshFrequency: String(m.refreshFrequency),
    warning: m.thresholds.warning?.toString() ?? '',
    critical: m.thresholds.critical?.toString() ?? '',
    direction: m.thresholds.direction ?? 'above',
    tags: m.tags.join(', '),
  }
}

/** The request body: fields of other sources are left out (the server clears them). */
export function toBody(d: Draft): Record<string, unknown> {
  const num = (s: string) => (s.trim() === '' ? null : Number(s))
  return {
    name: d.name,
    displayName: d.displayName,
    description: d.description || null,
    unit: d.unit,
    aggregationType: d.aggregationType,
    source: d.source,
    ...(d.source === 'pipeline' && {
      pipelineId: d.pipelineId || null,
      valuePath: d.valuePath,
      dimensionPaths: Object.fromEntries(d.dimensionPaths.split('\n').map((l) => l.split('=').map((s) => s.trim())).filter((p) => p.length === 2 && p[0])),
    }),
    ...(d.source === 'data_source' && { dataSourceId: d.dataSourceId || null, calculationMethod: d.calculationMethod, refreshFrequency: Number(d.refreshFrequency) }),
    thresholds: { warning: num(d.warning), critical: num(d.critical), direction: d.direction },
    tags: d.tags.split(',').map((t) => t.trim()).filter(Boolean),
  }
}

export function PageMetricForm() {
  const { org } = useOrg()
  const { metricId } = useParams()
  const navigate = useNavigate()
  const existing = useApi<Metric>(metricId ? `/orgs/${org.id}/metrics/${metricId}` : null)
  const pipelines = useApi<{ pipelines: Array<{ id: string; name: string }> }>(`/orgs/${org.id}/pipelines`)
  const sources = useApi<{ dataSources: Array<{ id: string; name: string; type: string }> }>(`/orgs/${org.id}/data-sources`)
  const [draft, setDraft] = useState<Draft>(EMPTY)
  useEffect(() => {
    if (existing.data) {
      setDraft(fromMetric(existing.data))
    }
  }, [existing.data])
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }))
  const formRef = useRef<HTMLFormElement>(null)
  const submit = useSubmit(formRef, async () => {
    const body = toBody(draft)
    const saved = metricId ? await api.patch<Metric>(`/orgs/${org.id}/metrics/${metricId}`, body) : await api.post<Metric>(`/orgs/${org.id}/metrics`, body)
    navigate(`/orgs/${org.id}/metrics/${saved.id}`)
  })
  const e = submit.fieldErrors
  return (
    <div className="page">
      <PageHeader title={metricId ? 'Edit metric' : 'New metric'} />
      <Form ref={formRef} className="card" onSubmit={submit.handleSubmit} error={submit.formError}>
        <TextField label="Name" name="name" value={draft.name} onChange={set('name')} error={e.name} hint="Unique; letters, digits, _ . : -" required />
        <TextField label="Display name" name="displayName" value={draft.displayName} onChange={set('displayName')} error={e.displayName} required />
        <TextField label="Description" name="description" value={draft.description} onChange={set('description')} />
        <TextField label="Unit" name="unit" value={draft.unit} onChange={set('unit')} hint="count, percentage, currency, seconds, …" />
        <SelectField label="Aggregation" name="aggregationType" value={draft.aggregationType} onChange={set('aggregationType')} options={['sum', 'avg', 'count', 'min', 'max'].map((v) => ({ value: v, label: v }))} />
        <SelectField label="Source" name="source" value={draft.source} onChange={set('source')} options={[{ value: 'push', label: 'Pushed through the API' }, { value: 'pipeline', label: "A field of a pipeline's records" }, { value: 'data_source', label: 'A SQL calculation on a data source' }]} />
        {draft.source === 'pipeline' ? (
          <>
            <SelectField label="Pipeline" name="pipelineId" value={draft.pipelineId} onChange={set('pipelineId')} error={e.pipelineId} options={[{ value: '', label: 'Choose…' }, ...(pipelines.data?.pipelines ?? []).map((p) => ({ value: p.id, label: p.name }))]} />
            <TextField label="Value path" name="valuePath" value={draft.valuePath} onChange={set('valuePath')} error={e.valuePath} hint="JSONPath in each stored record, e.g. $.amount" />
            <TextAreaField label="Dimensions" name="dimensionPaths" value={draft.dimensionPaths} onChange={set('dimensionPaths')} error={e.dimensionPaths} hint="One per line: name=$.path" />
          </>
        ) : null}
        {draft.source === 'data_source' ? (
          <>
            <SelectField label="Data source" name="dataSourceId" value={draft.dataSourceId} onChange={set('dataSourceId')} error={e.dataSourceId} options={[{ value: '', label: 'Choose…' }, ...(sources.data?.dataSources ?? []).filter((s) => s.type === 'postgresql' || s.type === 'mysql').map((s) => ({ value: s.id, label: s.name }))]} />
            <TextAreaField label="Calculation (SQL)" name="calculationMethod" value={draft.calculationMethod} onChange={set('calculationMethod')} error={e.calculationMethod} hint="A SELECT returning value, optionally timestamp, other columns become dimensions" />
            <TextField label="Every (seconds)" name="refreshFrequency" type="number" value={draft.refreshFrequency} onChange={set('refreshFrequency')} error={e.refreshFrequency} />
          </>
        ) : null}
        <TextField label="Warning threshold" name="warning" type="number" value={draft.warning} onChange={set('warning')} error={e.thresholds} />
        <TextField label="Critical threshold" name="critical" type="number" value={draft.critical} onChange={set('critical')} />
        <SelectField label="Bad when values are" name="direction" value={draft.direction} onChange={set('direction')} options={[{ value: 'above', label: 'above the thresholds' }, { value: 'below', label: 'below the thresholds' }]} />
        <TextField label="Tags" name="tags" value={draft.tags} onChange={set('tags')} hint="Comma-separated" />
        <FormActions busy={submit.busy} busyLabel="Saving…" submitLabel={metricId ? 'Save' : 'Create metric'} />
      </Form>
    </div>
  )
}
