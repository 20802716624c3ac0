import type { GridPosition, VersionDiff } from './api.ts'

/** A version's diff as sentences a person reads ("Added widget Revenue", "Moved …"). */

const SETTING_LABELS: Record<string, string> = {
  name: 'name',
  description: 'description',
  tags: 'tags',
  filters: 'filters',
  refreshInterval: 'refresh interval',
  theme: 'theme',
  layout: 'layout',
}

const TYPE_LABELS: Record<string, string> = {
  line_chart: 'line chart',
  area_chart: 'area chart',
  bar_chart: 'bar chart',
  pie_chart: 'pie chart',
  table: 'table',
  stat_card: 'stat card',
  text: 'text',
  image: 'image',
}

const FIELD_LABELS: Record<string, string> = {
  title: 'title',
  description: 'description',
  type: 'type',
  config: 'display options',
  dataQuery: 'data query',
  position: 'position',
  cacheDuration: 'cache duration',
}

export function placeText(position: GridPosition): string {
  return `column ${position.x + 1}, row ${position.y} (${position.w}×${position.h})`
}

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'nothing'
  if (Array.isArray(value)) return value.length === 0 ? 'nothing' : value.join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return `“${String(value)}”`
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`
}

export function describeDiff(diff: VersionDiff): string[] {
  const lines: string[] = []
  for (const setting of diff.settings) {
    lines.push(`Changed ${SETTING_LABELS[setting.field] ?? setting.field} from ${valueText(setting.from)} to ${valueText(setting.to)}`)
  }
  for (const widget of diff.widgetsAdded) {
    lines.push(`Added ${TYPE_LABELS[widget.type] ?? 'widget'} “${widget.title}”`)
  }
  for (const widget of diff.widgetsRemoved) {
    lines.push(`Removed ${TYPE_LABELS[widget.type] ?? 'widget'} “${widget.title}”`)
  }
  for (const widget of diff.widgetsChanged) {
    const fields = widget.fields.filter((field) => field !== 'position').map((field) => FIELD_LABELS[field] ?? field)
    if (fields.length > 0) lines.push(`Changed ${list(fields)} of “${widget.title}”`)
  }
  for (const move of diff.layoutMoves) {
    const resized = move.from.w !== move.to.w || move.from.h !== move.to.h
    const moved = move.from.x !== move.to.x || move.from.y !== move.to.y
    const verb = moved && resized ? 'Moved and resized' : resized ? 'Resized' : 'Moved'
    lines.push(`${verb} “${move.title}” from ${placeText(move.from)} to ${placeText(move.to)}`)
  }
  return lines.length > 0 ? lines : ['No changes to widgets or settings']
}
