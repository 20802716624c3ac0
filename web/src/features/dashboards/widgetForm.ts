import type { Aggregation, DataQuery, WidgetType } from './api.ts'
import type { DraftWidget } from './dashboardDraft.ts'

/** The widget form's flat fields and their translation to a widget (type, config, dataQuery). */

export type SourceKind = 'metric' | 'pipeline' | 'query'

export interface WidgetFormValues {
  type: WidgetType
  title: string
  description: string
  source: SourceKind
  metricId: string
  pipelineId: string
  field: string
  queryId: string
  /** key=value per line. */
  params: string
  aggregation: '' | Aggregation
  bucket: string
  groupBy: string
  limit: string
  /** key=value per line. */
  filters: string
  unit: string
  stacked: boolean
  donut: boolean
  warning: string
  critical: string
  direction: 'above' | 'below'
  target: string
  markdown: string
  url: string
  alt: string
  xColumn: string
  yColumn: string
}

export function emptyForm(type: WidgetType = 'line_chart'): WidgetFormValues {
  return {
    type, title: '', description: '', source: 'metric', metricId: '', pipelineId: '', field: '', queryId: '', params: '',
    aggregation: '', bucket: 'auto', groupBy: '', limit: '', filters: '', unit: '', stacked: false, donut: true,
    warning: '', critical: '', direction: 'above', target: '', markdown: '', url: '', alt: '', xColumn: '', yColumn: '',
  }
}

export function parsePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {}
  for (const line of text.split(/[\n,]/)) {
    const index = line.indexOf('=')
    if (index <= 0) continue
    const key = line.slice(0, index).trim()
    const value = line.slice(index + 1).trim()
    if (key !== '' && value !== '') pairs[key] = value
  }
  return pairs
}

function pairsText(pairs: Record<string, unknown> | undefined): string {
  return Object.entries(pairs ?? {}).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('|') : String(value)}`).join('\n')
}

function text(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : ''
}

function numberOrUndefined(value: string): number | undefined {
  if (value.trim() === '') return undefined
  const parsed = Number(value)
  return Number.isFinite(parsed) ? parsed : undefined
}

export function formFromWidget(widget: DraftWidget): WidgetFormValues {
  const form = emptyForm(widget.type)
  const config = widget.config
  const thresholds = (config.thresholds ?? {}) as Record<string, unknown>
  const query = widget.dataQuery
  Object.assign(form, {
    title: widget.title,
    description: widget.description ?? '',
    unit: text(config.unit),
    stacked: config.stacked === true,
    donut: config.donut !== false,
    warning: text(thresholds.warning),
    critical: text(thresholds.critical),
    direction: thresholds.direction === 'below' ? 'below' : 'above',
    target: text(config.target),
    markdown: text(config.markdown),
    url: text(config.url),
    alt: text(config.alt),
    xColumn: text(config.xColumn),
    yColumn: text(config.yColumn) || (Array.isArray(config.yColumns) ? text(config.yColumns[0]) : ''),
  })
  if (query?.source === 'metric') {
    Object.assign(form, { source: 'metric', metricId: query.metricId, aggregation: query.aggregation ?? '', bucket: query.bucket ?? 'auto', groupBy: query.groupBy ?? '', limit: text(query.limit), filters: pairsText(query.filters) })
  } else if (query?.source === 'pipeline') {
    Object.assign(form, { source: 'pipeline', pipelineId: query.pipelineId, field: query.field ?? '', aggregation: query.aggregation ?? '', bucket: query.bucket ?? 'auto', groupBy: query.groupBy ?? '', limit: text(query.limit) })
  } else if (query?.source === 'query') {
    Object.assign(form, { source: 'query', queryId: query.queryId, params: pairsText(query.params) })
  }
  return form
}

/** The data query the form describes, or undefined while a required choice is missing. */
export function dataQueryOf(form: WidgetFormValues): DataQuery | undefined {
  if (form.type === 'text' || form.type === 'image') return undefined
  const common = {
    ...(form.aggregation ? { aggregation: form.aggregation } : {}),
    ...(form.bucket && form.bucket !== 'auto' ? { bucket: form.bucket } : {}),
    ...(form.groupBy.trim() ? { groupBy: form.groupBy.trim() } : {}),
    ...(form.groupBy.trim() && numberOrUndefined(form.limit) !== undefined ? { limit: numberOrUndefined(form.limit) } : {}),
  }
  if (form.source === 'metric') {
    if (!form.metricId) return undefined
    const filters = parsePairs(form.filters)
    return { source: 'metric', metricId: form.metricId, ...common, ...(Object.keys(filters).length > 0 ? { filters } : {}) }
  }
  if (form.source === 'pipeline') {
    if (!form.pipelineId) return undefined
    return { source: 'pipeline', pipelineId: form.pipelineId, ...(form.field.trim() ? { field: form.field.trim() } : {}), ...common }
  }
  if (!form.queryId) return undefined
  const params = parsePairs(form.params)
  return { source: 'query', queryId: form.queryId, ...(Object.keys(params).length > 0 ? { params } : {}) }
}

/** Display options kept in config, per type (only the ones that type uses). */
export function configOf(form: WidgetFormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  const unit = form.unit.trim()
  switch (form.type) {
    case 'text':
      config.markdown = form.markdown
      return config
    case 'image':
      config.url = form.url.trim()
      if (form.alt.trim()) config.alt = form.alt.trim()
      return config
    case 'stat_card': {
      if (unit) config.unit = unit
      const warning = numberOrUndefined(form.warning)
      const critical = numberOrUndefined(form.critical)
      if (warning !== undefined || critical !== undefined) {
        config.thresholds = { ...(warning !== undefined ? { warning } : {}), ...(critical !== undefined ? { critical } : {}), direction: form.direction }
      }
      const target = numberOrUndefined(form.target)
      if (target !== undefined) config.target = target
      return config
    }
    case 'pie_chart':
      config.donut = form.donut
      break
    case 'bar_chart':
    case 'area_chart':
      config.stacked = form.stacked
      if (unit) config.unit = unit
      break
    case 'line_chart':
    case 'table':
      if (unit) config.unit = unit
      break
  }
  if (form.source === 'query') {
    if (form.xColumn.trim()) config.xColumn = form.xColumn.trim()
    // A list, the shape the public payload's allowlist keeps (yColumns).
    if (form.yColumn.trim()) config.yColumns = [form.yColumn.trim()]
  }
  return config
}

/** What keeps the form from being saved, in words (empty: ready). */
export function formProblems(form: WidgetFormValues): string[] {
  const problems: string[] = []
  if (form.title.trim() === '') problems.push('Give the widget a title.')
  if (form.type === 'image' && !/^https?:\/\//i.test(form.url.trim())) problems.push('An image needs an http:// or https:// address.')
  if (form.type !== 'text' && form.type !== 'image' && !dataQueryOf(form)) {
    problems.push(form.source === 'metric' ? 'Choose a metric.' : form.source === 'pipeline' ? 'Choose a pipeline.' : 'Choose a saved query.')
  }
  return problems
}
