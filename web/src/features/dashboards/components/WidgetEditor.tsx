import { useEffect, useMemo, useState, type FormEvent } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Button } from '../../../components/Button.tsx'
import { CheckboxField, SelectField, TextField } from '../../../components/Field.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import { errorMessage } from '../../../lib/api.ts'
import { useApi } from '../../../lib/useApi.ts'
import { dashboardsApi, normalizeData, type DataRequest, type WidgetData, type WidgetType } from '../api.ts'
import type { DraftWidget } from '../dashboardDraft.ts'
import { configOf, dataQueryOf, formFromWidget, formProblems, type WidgetFormValues } from '../widgetForm.ts'
import { WIDGET_TYPE_LABELS, fromWidget } from '../widgetView.ts'
import { Dialog } from './Dialog.tsx'
import { WidgetFrame } from './WidgetFrame.tsx'

const AGGREGATIONS = [
  { value: '', label: "The source's default" },
  { value: 'sum', label: 'Sum' },
  { value: 'avg', label: 'Average' },
  { value: 'count', label: 'Count' },
  { value: 'min', label: 'Minimum' },
  { value: 'max', label: 'Maximum' },
]
const BUCKETS = [
  { value: 'auto', label: 'Automatic' },
  { value: '1m', label: '1 minute' },
  { value: '5m', label: '5 minutes' },
  { value: '15m', label: '15 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '1d', label: '1 day' },
  { value: '1w', label: '1 week' },
  { value: '1mo', label: '1 month' },
]

/**
 * Add or edit a widget with a form (never SQL): type, title, source and query options, display
 * options per type, and a live preview of the data from POST /widgets/preview.
 */
export function WidgetEditor({ orgId, widget, request, onSave, onClose }: {
  orgId: string
  widget: DraftWidget
  request: DataRequest | undefined
  onSave: (widget: DraftWidget, preview: WidgetData | undefined) => void
  onClose: () => void
}) {
  const [form, setForm] = useState<WidgetFormValues>(() => formFromWidget(widget))
  const [preview, setPreview] = useState<WidgetData | undefined>(undefined)
  const [showProblems, setShowProblems] = useState(false)
  const metrics = useApi<{ metrics: Array<{ id: string; displayName: string; name: string; unit: string }> }>(`/orgs/${orgId}/metrics`)
  const pipelines = useApi<{ pipelines: Array<{ id: string; name: string }> }>(`/orgs/${orgId}/pipelines`)
  const queries = useApi<{ queries: Array<{ id: string; name: string }> }>(`/orgs/${orgId}/queries`)
  const set = <K extends keyof WidgetFormValues>(key: K) => (value: WidgetFormValues[K]) => setForm((current) => ({ ...current, [key]: value }))
  const dataQuery = useMemo(() => dataQueryOf(form), [form])
  const queryKey = JSON.stringify(dataQuery ?? null)
  const isData = form.type !== 'text' && form.type !== 'image'
  // A stat card's preview shows its figure against the period before, as the dashboard will.
  const compare = form.type === 'stat_card'

  useEffect(() => {
    if (!dataQuery || !request) {
      setPreview(undefined)
      return
    }
    const controller = new AbortController()
    setPreview(undefined)
    const timer = setTimeout(() => {
      dashboardsApi
        .preview(orgId, { dataQuery, from: request.from, to: request.to, tz: request.tz, compare })
        .then((item) => {
          if (!controller.signal.aborted) setPreview(normalizeData({ asOf: '', from: '', to: '', widgets: [{ ...item, key: widget.key }] }).widgets[0])
        })
        .catch((caught: unknown) => {
          if (!controller.signal.aborted) setPreview({ key: widget.key, status: 'error', error: { code: 'preview_failed', message: errorMessage(caught) } })
        })
    }, 400)
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
    // queryKey stands for dataQuery.
  }, [orgId, queryKey, request, widget.key, compare])

  const problems = formProblems(form)
  const draft: DraftWidget = { ...widget, type: form.type, title: form.title.trim(), description: form.description.trim() || null, config: configOf(form), dataQuery: dataQuery ?? null }
  const previewWidget = fromWidget({ ...draft, id: widget.key, title: draft.title || 'Preview', cacheDuration: 0 })

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault()
    if (problems.length > 0) {
      setShowProblems(true)
      return
    }
    onSave(draft, preview)
  }

  const metricOptions = [{ value: '', label: 'Choose a metric…' }, ...(metrics.data?.metrics ?? []).map((metric) => ({ value: metric.id, label: metric.displayName || metric.name }))]
  const pipelineOptions = [{ value: '', label: 'Choose a pipeline…' }, ...(pipelines.data?.pipelines ?? []).map((pipeline) => ({ value: pipeline.id, label: pipeline.name }))]
  const queryOptions = [{ value: '', label: 'Choose a saved query…' }, ...(queries.data?.queries ?? []).map((query) => ({ value: query.id, label: query.name }))]

  return (
    <Dialog title={widget.id || widget.title ? `Edit “${widget.title || 'widget'}”` : 'Add widget'} onClose={onClose} wide>
      <form className="dash-editor" onSubmit={handleSubmit} noValidate>
        <div className="dash-editor-fields">
          <SelectField label="Type" name="type" value={form.type} onChange={(value) => set('type')(value as WidgetType)} options={Object.entries(WIDGET_TYPE_LABELS).map(([value, label]) => ({ value, label }))} />
          <TextField label="Title" name="title" value={form.title} onChange={set('title')} required maxLength={255} />
          <TextField label="Description" name="description" value={form.description} onChange={set('description')} hint="Optional, shown under the title." />
          {isData ? (
            <fieldset className="plain-fieldset dash-editor-group">
              <legend>Data</legend>
              <SelectField label="Source" name="source" value={form.source} onChange={(value) => set('source')(value as WidgetFormValues['source'])} options={[{ value: 'metric', label: 'A metric' }, { value: 'pipeline', label: "A pipeline's records" }, { value: 'query', label: 'A saved query' }]} />
              {form.source === 'metric' ? <SelectField label="Metric" name="metricId" value={form.metricId} onChange={set('metricId')} options={metricOptions} hint={metrics.data?.metrics.length === 0 ? 'This organization has no metrics yet: create one under Metrics.' : undefined} /> : null}
              {form.source === 'pipeline' ? (
                <>
                  <SelectField label="Pipeline" name="pipelineId" value={form.pipelineId} onChange={set('pipelineId')} options={pipelineOptions} />
                  <TextField label="Field" name="field" value={form.field} onChange={set('field')} hint="A numeric field (dotted path, e.g. order.total). Empty: count records." />
                </>
              ) : null}
              {form.source === 'query' ? (
                <>
                  <SelectField label="Saved query" name="queryId" value={form.queryId} onChange={set('queryId')} options={queryOptions} />
                  <TextAreaField label="Parameters" name="params" value={form.params} onChange={set('params')} rows={2} hint="One name=value per line; list values separated by |." />
                  {form.type !== 'table' && form.type !== 'stat_card' ? (
                    <div className="form-grid dash-editor-pair">
                      <TextField label="Category column" name="xColumn" value={form.xColumn} onChange={set('xColumn')} hint="Default: the first column. Clicks filter by it." />
                      <TextField label="Value column" name="yColumn" value={form.yColumn} onChange={set('yColumn')} hint="Default: the first numeric column." />
                    </div>
                  ) : null}
                </>
              ) : (
                <>
                  <div className="form-grid dash-editor-pair">
                    <SelectField label="Aggregation" name="aggregation" value={form.aggregation} onChange={(value) => set('aggregation')(value as WidgetFormValues['aggregation'])} options={AGGREGATIONS} />
                    <SelectField label="Bucket" name="bucket" value={form.bucket} onChange={set('bucket')} options={BUCKETS} />
                  </div>
                  <div className="form-grid dash-editor-pair">
                    <TextField label="Group by" name="groupBy" value={form.groupBy} onChange={set('groupBy')} hint="A dimension, e.g. region. Clicks on the chart filter by it." />
                    <TextField label="Top N groups" name="limit" type="number" min={1} max={100} value={form.limit} onChange={set('limit')} hint="Default 10; the rest become “other”." disabled={form.groupBy.trim() === ''} />
                  </div>
                  {form.source === 'metric' ? <TextAreaField label="Filters" name="filters" value={form.filters} onChange={set('filters')} rows={2} hint="One dimension=value per line; points must match all." /> : null}
                </>
              )}
            </fieldset>
          ) : null}
          <fieldset className="plain-fieldset dash-editor-group">
            <legend>Display</legend>
            {form.type === 'text' ? <TextAreaField label="Markdown" name="markdown" value={form.markdown} onChange={set('markdown')} rows={6} hint="Headings, lists, links and emphasis. HTML is removed." /> : null}
            {form.type === 'image' ? (
              <>
                <TextField label="Image URL" name="url" type="url" value={form.url} onChange={set('url')} hint="http:// or https:// only." />
                <TextField label="Alt text" name="alt" value={form.alt} onChange={set('alt')} hint="What the image shows, for screen readers." />
              </>
            ) : null}
            {form.type !== 'text' && form.type !== 'image' && form.type !== 'pie_chart' ? <TextField label="Unit" name="unit" value={form.unit} onChange={set('unit')} hint="Shown with values, e.g. €, ms, %." /> : null}
            {form.type === 'bar_chart' || form.type === 'area_chart' ? <CheckboxField label="Stack groups (otherwise side by side)" name="stacked" checked={form.stacked} onChange={set('stacked')} /> : null}
            {form.type === 'pie_chart' ? <CheckboxField label="Donut (a ring instead of a full pie)" name="donut" checked={form.donut} onChange={set('donut')} /> : null}
            {form.type === 'stat_card' ? (
              <>
                <div className="form-grid dash-editor-pair">
                  <TextField label="Warning at" name="warning" type="number" value={form.warning} onChange={set('warning')} />
                  <TextField label="Critical at" name="critical" type="number" value={form.critical} onChange={set('critical')} />
                </div>
                <div className="form-grid dash-editor-pair">
                  <SelectField label="Bad values are" name="direction" value={form.direction} onChange={(value) => set('direction')(value as 'above' | 'below')} options={[{ value: 'above', label: 'At or above the thresholds' }, { value: 'below', label: 'At or below the thresholds' }]} />
                  <TextField label="KPI target" name="target" type="number" value={form.target} onChange={set('target')} />
                </div>
              </>
            ) : null}
            {form.type === 'line_chart' || form.type === 'table' ? <p className="small muted">No further options for this type.</p> : null}
          </fieldset>
        </div>
        <div className="dash-editor-preview">
          <p className="label-like">Preview</p>
          <div className="dash-editor-preview-frame">
            {isData && !dataQuery ? (
              <p className="chart-empty">Choose a source to see a preview.</p>
            ) : (
              <WidgetFrame widget={previewWidget} data={isData ? preview : { key: widget.key, status: 'static' }} />
            )}
          </div>
          {showProblems && problems.length > 0 ? (
            <Alert title="Before adding this widget">
              <ul>
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </Alert>
          ) : null}
          <div className="form-actions">
            <Button type="submit" variant="primary">
              {widget.id || widget.title ? 'Apply' : 'Add widget'}
            </Button>
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
          </div>
        </div>
      </form>
    </Dialog>
  )
}
