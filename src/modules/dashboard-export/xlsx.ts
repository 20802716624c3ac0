import writeXlsxFile, { type Cell as SheetCell } from 'write-excel-file/node'
import type { Cell, ExportTable } from './export-table.ts'
import { wallClock } from './zoned-time.ts'

/**
 * A one-sheet workbook (write-excel-file: a maintained writer with a single dependency, fflate).
 * A header row in bold, numbers as numbers, times as Excel dates in the view's time zone
 * (a cell has no zone, so the header names it), text as text cells: a string cell is never
 * evaluated, so no formula escaping is needed here.
 */

const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss'
/** Excel's limit on a sheet name, and the characters it refuses in one. */
const SHEET_NAME_MAX = 31
const SHEET_NAME_FORBIDDEN = /[\\/?*[\]:]/g

export function sheetName(title: string): string {
  const name = title.replace(SHEET_NAME_FORBIDDEN, ' ').replace(/\s+/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, SHEET_NAME_MAX).trim()
  return name || 'Data'
}

function sheetCell(cell: Cell, tz: string): SheetCell {
  if (cell === null) return null
  if (cell instanceof Date) return { value: wallClock(cell, tz), type: Date, format: DATE_FORMAT }
  if (typeof cell === 'number') return { value: cell, type: Number }
  if (typeof cell === 'boolean') return { value: cell, type: Boolean }
  return { value: cell, type: String }
}

export async function toXlsx(table: ExportTable, tz: string, title: string): Promise<Buffer> {
  const header = table.columns.map((column) => ({ value: column.kind === 'date' ? `${column.name} (${tz})` : column.name, fontWeight: 'bold' as const }))
  const rows = table.rows.map((row) => row.map((cell) => sheetCell(cell, tz)))
  const columns = table.columns.map((column) => ({ width: column.kind === 'date' ? 20 : Math.min(Math.max(column.name.length + 2, 12), 40) }))
  return writeXlsxFile([header, ...rows], { sheet: sheetName(title), columns, stickyRowsCount: 1 }).toBuffer()
}
