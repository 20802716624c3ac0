import type { DataQuery, DocumentWidget, GridPosition, Widget, WidgetType } from './api.ts'
import { samePosition } from './gridLayout.ts'

/**
 * The editor's working copy of a dashboard: settings and widgets, changed by pure steps so
 * undo is "go back to the previous copy" and Save sends the whole document at once.
 */

export interface DraftWidget {
  /** The widget id, or a temporary "new-…" key until saved. */
  key: string
  id?: string
  type: WidgetType
  title: string
  description: string | null
  position: GridPosition
  config: Record<string, unknown>
  dataQuery: DataQuery | null
}

export interface Draft {
  name: string
  description: string | null
  tags: string[]
  widgets: DraftWidget[]
}

export function draftFrom(dashboard: { name: string; description: string | null; tags: string[] }, widgets: Widget[]): Draft {
  return {
    name: dashboard.name,
    description: dashboard.description,
    tags: dashboard.tags,
    widgets: widgets.map((widget) => ({
      key: widget.id,
      id: widget.id,
      type: widget.type,
      title: widget.title,
      description: widget.description,
      position: widget.position,
      config: widget.config ?? {},
      dataQuery: widget.dataQuery,
    })),
  }
}

export function withPositions(draft: Draft, positions: Map<string, GridPosition>): Draft {
  let changed = false
  const widgets = draft.widgets.map((widget) => {
    const next = positions.get(widget.key)
    if (!next || samePosition(next, widget.position)) return widget
    changed = true
    return { ...widget, position: next }
  })
  return changed ? { ...draft, widgets } : draft
}

export function withWidget(draft: Draft, widget: DraftWidget): Draft {
  const exists = draft.widgets.some((candidate) => candidate.key === widget.key)
  return { ...draft, widgets: exists ? draft.widgets.map((candidate) => (candidate.key === widget.key ? widget : candidate)) : [...draft.widgets, widget] }
}

export function withoutWidget(draft: Draft, key: string): Draft {
  return { ...draft, widgets: draft.widgets.filter((widget) => widget.key !== key) }
}

/** The body of PUT …/document: widgets with an id are updated, the others created, missing ones deleted. */
export function documentBody(draft: Draft, baseVersion: number | undefined, summary?: string): Record<string, unknown> {
  const widgets: DocumentWidget[] = draft.widgets.map((widget) => ({
    ...(widget.id ? { id: widget.id } : {}),
    type: widget.type,
    title: widget.title,
    description: widget.description,
    position: widget.position,
    config: widget.config,
    dataQuery: widget.type === 'text' || widget.type === 'image' ? null : widget.dataQuery,
  }))
  return {
    name: draft.name,
    description: draft.description,
    tags: draft.tags,
    widgets,
    ...(summary ? { summary } : {}),
    ...(baseVersion !== undefined ? { baseVersion } : {}),
  }
}

/** A short description of what changed, for the version list ("Added 2 widgets, moved 1"). */
export function changeSummary(before: Draft, after: Draft): string {
  const beforeKeys = new Map(before.widgets.map((widget) => [widget.key, widget]))
  const afterKeys = new Set(after.widgets.map((widget) => widget.key))
  const added = after.widgets.filter((widget) => !beforeKeys.has(widget.key)).length
  const removed = before.widgets.filter((widget) => !afterKeys.has(widget.key)).length
  let moved = 0
  let edited = 0
  for (const widget of after.widgets) {
    const old = beforeKeys.get(widget.key)
    if (!old) continue
    if (!samePosition(old.position, widget.position)) moved++
    if (JSON.stringify({ ...old, position: null }) !== JSON.stringify({ ...widget, position: null })) edited++
  }
  const parts: string[] = []
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  if (added) parts.push(`added ${plural(added, 'widget')}`)
  if (removed) parts.push(`removed ${plural(removed, 'widget')}`)
  if (edited) parts.push(`edited ${plural(edited, 'widget')}`)
  if (moved) parts.push(`moved ${plural(moved, 'widget')}`)
  if (before.name !== after.name || before.description !== after.description || before.tags.join() !== after.tags.join()) parts.push('changed settings')
  const text = parts.join(', ')
  return text === '' ? 'Saved without changes' : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`
}
