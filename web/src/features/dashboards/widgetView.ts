import type { GridPosition, PublicWidget, Widget, WidgetType } from './api.ts'

/**
 * What the grid needs of a widget, the same for the app (id, full config and query) and for
 * public/embed pages (an opaque key and the allowlisted display options).
 */
export interface ViewWidget {
  key: string
  type: WidgetType
  title: string
  description: string | null
  position: GridPosition
  config: Record<string, unknown>
  /** The dimension (or saved-query column) a click on this chart filters by. */
  crossFilterKey: string | undefined
  /** Sources whose new data should refetch this widget (live mode). */
  sources: { metricId?: string; pipelineId?: string }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

export function fromWidget(widget: Widget): ViewWidget {
  const query = widget.dataQuery
  let crossFilterKey: string | undefined
  const sources: ViewWidget['sources'] = {}
  if (query?.source === 'metric') {
    crossFilterKey = query.groupBy
    sources.metricId = query.metricId
  } else if (query?.source === 'pipeline') {
    crossFilterKey = query.groupBy
    sources.pipelineId = query.pipelineId
  } else if (query?.source === 'query') {
    crossFilterKey = stringOf(widget.config.xColumn)
  }
  return { key: widget.id, type: widget.type, title: widget.title, description: widget.description, position: widget.position, config: widget.config, crossFilterKey, sources }
}

export function fromPublicWidget(widget: PublicWidget): ViewWidget {
  const display = widget.display ?? {}
  return {
    key: widget.key,
    type: widget.type,
    title: widget.title,
    description: widget.description,
    position: widget.position,
    config: display,
    crossFilterKey: stringOf(display.groupBy) ?? stringOf(display.xColumn),
    sources: {},
  }
}

export const WIDGET_TYPE_LABELS: Record<WidgetType, string> = {
  line_chart: 'Line chart',
  area_chart: 'Area chart',
  bar_chart: 'Bar chart',
  pie_chart: 'Pie chart',
  table: 'Table',
  stat_card: 'Stat card',
  text: 'Text',
  image: 'Image',
}

export function isChart(type: WidgetType): type is 'line_chart' | 'area_chart' | 'bar_chart' | 'pie_chart' {
  return type === 'line_chart' || type === 'area_chart' || type === 'bar_chart' || type === 'pie_chart'
}

/** Only http and https images are shown (no javascript:, data: or file: URLs). */
export function safeImageUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined
  } catch {
    return undefined
  }
}
