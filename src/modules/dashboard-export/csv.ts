import type { Cell, ExportTable } from './export-table.ts'
import { isoInZone } from './zoned-time.ts'

/**
 * RFC 4180 CSV: CRLF line ends, a field quoted when it holds a comma, a quote or a line
 * break, quotes doubled. Text that a spreadsheet would run as a formula (starting with =, +,
 * -, @, a tab or a carriage return) gets a leading apostrophe (OWASP "CSV injection"); the
 * numbers we write ourselves are never escaped, so -3 stays a number.
 */

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

function field(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function escapeText(text: string): string {
  return field(FORMULA_START.test(text) ? `'${text}` : text)
}

function cellText(cell: Cell, tz: string): string {
  if (cell === null) return ''
  if (cell instanceof Date) return isoInZone(cell, tz)
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return escapeText(cell)
}

export function toCsv(table: ExportTable, tz: string): string {
  const lines = [table.columns.map((column) => escapeText(column.name)), ...table.rows.map((row) => row.map((cell) => cellText(cell, tz)))]
  return lines.map((line) => `${line.join(',')}\r\n`).join('')
}
