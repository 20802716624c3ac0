import type { GridPosition } from './api.ts'

/**
 * Conversions between widget positions (stored on the widgets, 12 columns) and the item
 * lists react-grid-layout draws, and the one-column order used on narrow screens.
 */

export const GRID_COLUMNS = 12
/** Below this container width the grid becomes one column, in reading order. */
export const NARROW_WIDTH = 640
export const ROW_HEIGHT = 64

export interface GridItem {
  i: string
  x: number
  y: number
  w: number
  h: number
}

export function toGridItems(widgets: Array<{ key: string; position: GridPosition }>): GridItem[] {
  return widgets.map((widget) => ({ i: widget.key, ...clampPosition(widget.position) }))
}

export function clampPosition(position: GridPosition): GridPosition {
  const w = Math.min(GRID_COLUMNS, Math.max(1, Math.round(position.w)))
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(position.x)))
  return { x, y: Math.max(0, Math.round(position.y)), w, h: Math.max(1, Math.round(position.h)) }
}

/** Positions by key from a layout the grid reports (after a drag or resize). */
export function positionsFromGrid(items: ReadonlyArray<GridItem>): Map<string, GridPosition> {
  return new Map(items.map((item) => [item.i, { x: item.x, y: item.y, w: item.w, h: item.h }]))
}

/** Top-to-bottom, then left-to-right: the order a reader scans the desktop grid. */
export function readingOrder<T extends { position: GridPosition }>(widgets: T[]): T[] {
  return [...widgets].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
}

/**
 * The phone layout: one full-width column in reading order, each widget keeping its height
 * (at least 3 rows, so charts stay readable). Computed, never saved.
 */
export function narrowLayout(widgets: Array<{ key: string; position: GridPosition }>): GridItem[] {
  let y = 0
  return readingOrder(widgets).map((widget) => {
    const h = Math.max(3, widget.position.h)
    const item = { i: widget.key, x: 0, y, w: 1, h }
    y += h
    return item
  })
}

/** Where a new widget goes: under everything, full rows. */
export function nextFreePosition(positions: GridPosition[], w = 6, h = 4): GridPosition {
  const bottom = positions.reduce((max, position) => Math.max(max, position.y + position.h), 0)
  return { x: 0, y: bottom, w, h }
}

export function samePosition(a: GridPosition, b: GridPosition): boolean {
  return a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h
}
