/**
 * Where each widget goes on A4 landscape pages. The dashboard's 12-column grid spans the
 * page width; one grid row is ROW_HEIGHT points. Widgets whose rows overlap form a band that
 * is never split: a band that does not fit in what is left of a page starts the next page,
 * and a band taller than a whole page is scaled down to fit one.
 */

export const PAGE = { width: 841.89, height: 595.28 }
export const MARGIN = 36
/** The first page's title, range and filters lines. */
export const HEADER_HEIGHT = 56
/** The page number line at the bottom of every page. */
export const FOOTER_HEIGHT = 18
export const ROW_HEIGHT = 40
export const GUTTER = 8
export const GRID_COLUMNS = 12

export interface GridItem {
  id: string
  position: { x: number; y: number; w: number; h: number }
}

export interface Placement {
  id: string
  page: number
  x: number
  y: number
  width: number
  height: number
}

interface Band {
  top: number
  bottom: number
  items: GridItem[]
}

/** Grid rows that must stay together: widgets are in one band when their rows overlap (directly or through another widget). */
export function bandsOf(items: GridItem[]): Band[] {
  const sorted = [...items].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x)
  const bands: Band[] = []
  for (const item of sorted) {
    const last = bands.at(-1)
    const { y, h } = item.position
    if (last && y < last.bottom) {
      last.items.push(item)
      last.bottom = Math.max(last.bottom, y + h)
    } else {
      bands.push({ top: y, bottom: y + h, items: [item] })
    }
  }
  return bands
}

const pageTop = (page: number) => MARGIN + (page === 0 ? HEADER_HEIGHT : 0)
const BODY_BOTTOM = PAGE.height - MARGIN - FOOTER_HEIGHT

export function layoutPages(items: GridItem[]): { pageCount: number; placements: Placement[] } {
  const columnWidth = (PAGE.width - 2 * MARGIN) / GRID_COLUMNS
  const placements: Placement[] = []
  let page = 0
  let cursor = pageTop(0)
  let previousBottom: number | null = null
  for (const band of bandsOf(items)) {
    const height = (band.bottom - band.top) * ROW_HEIGHT
    // Empty grid rows between bands are kept on a page, never at the top of one.
    let gap = previousBottom === null ? 0 : Math.max(0, band.top - previousBottom) * ROW_HEIGHT
    if (cursor + gap + height > BODY_BOTTOM && cursor > pageTop(page)) {
      page += 1
      cursor = pageTop(page)
      gap = 0
    }
    const top = cursor + gap
    const scale = Math.min(1, (BODY_BOTTOM - top) / height)
    for (const item of band.items) {
      const { x, y, w, h } = item.position
      placements.push({
        id: item.id,
        page,
        x: MARGIN + x * columnWidth * scale + GUTTER / 2,
        y: top + (y - band.top) * ROW_HEIGHT * scale + GUTTER / 2,
        width: w * columnWidth * scale - GUTTER,
        height: h * ROW_HEIGHT * scale - GUTTER,
      })
    }
    cursor = top + height * scale
    previousBottom = band.bottom
  }
  return { pageCount: page + 1, placements }
}
