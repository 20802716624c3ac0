/**
 * A streaming RFC 4180 parser: quoted fields with "" escapes and embedded delimiters and
 * line breaks, CRLF, LF or CR line ends, any one-character delimiter. Text arrives in chunks
 * of any size; a row split across chunks is completed by the next one.
 */
export interface CsvRow {
  fields: string[]
  /** Offset (in characters of the whole input) just past the row and its line end. */
  end: number
}

export class CsvParser {
  private field = ''
  private fields: string[] = []
  private inQuotes = false
  /** The previous character closed a quoted section ("" inside quotes, or the end of one). */
  private quoteClosed = false
  private pendingCR = false
  private offset = 0
  private rowHasContent = false
  /** 1-based line of the current position, for error messages. */
  line = 1

  constructor(private readonly delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error('the CSV delimiter must be one character other than a quote or a line break')
    }
  }

  private endRow(rows: CsvRow[], end: number): void {
    this.fields.push(this.field)
    // A blank line is no record.
    if (this.rowHasContent || this.fields.length > 1) {
      rows.push({ fields: this.fields, end })
    }
    this.fields = []
    this.field = ''
    this.rowHasContent = false
    this.quoteClosed = false
  }

  /** Parses the next chunk; returns the rows it completed. */
  feed(text: string): CsvRow[] {
    const rows: CsvRow[] = []
    const d = this.delimiter
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!
      const position = this.offset + i
      if (this.pendingCR) {
        this.pendingCR = false
        if (char === '\n') {
          continue // the LF of a CRLF split across chunks
        }
      }
      if (this.inQuotes) {
        if (char === '"') {
          this.inQuotes = false
          this.quoteClosed = true
        } else {
          if (char === '\n') {
            this.line++
          }
          this.field += char
        }
        continue
      }
      if (char === '"') {
        if (this.quoteClosed) {
          this.field += '"' // "" inside a quoted field
          this.inQuotes = true
          this.quoteClosed = false
        } else if (this.field === '') {
          this.inQuotes = true
          this.rowHasContent = true
        } else {
          this.field += char // a stray quote inside an unquoted field is kept (lenient, lossless)
        }
        continue
      }
      this.quoteClosed = false
      if (char === d) {
        this.fields.push(this.field)
        this.field = ''
        continue
      }
      if (char === '\n' || char === '\r') {
        this.line++
        let end = position + 1
        if (char === '\r' && text[i + 1] === '\n') {
          i++
          end++
        } else if (char === '\r' && i === text.length - 1) {
          this.pendingCR = true
        }
        this.endRow(rows, end)
        continue
      }
      this.field += char
      this.rowHasContent = true
    }
    this.offset += text.length
    return rows
  }

  /** Ends the input: the last row needs no line end. */
  finish(): CsvRow[] {
    if (this.inQuotes) {
      throw new Error(`unterminated quoted field (the quote opened before line ${this.line})`)
    }
    const rows: CsvRow[] = []
    if (this.field !== '' || this.fields.length > 0 || this.rowHasContent) {
      this.endRow(rows, this.offset)
    }
    return rows
  }
}

/** Picks the delimiter that occurs most in the first line (outside quotes). */
export function detectDelimiter(sample: string): string {
  const firstLine = sample.split(/\r?\n/, 1)[0] ?? ''
  let best = ','
  let bestCount = 0
  for (const candidate of [',', ';', '\t', '|']) {
    let count = 0
    let quoted = false
    for (const char of firstLine) {
      if (char === '"') {
        quoted = !quoted
      } else if (!quoted && char === candidate) {
        count++
      }
    }
    if (count > bestCount) {
      best = candidate
      bestCount = count
    }
  }
  return best
}

export type CsvColumnType = 'integer' | 'number' | 'boolean' | 'timestamp' | 'string'
export interface CsvColumn {
  name: string
  type: CsvColumnType
}

const INTEGER = /^[+-]?\d{1,15}$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const BOOLEAN = /^(true|false)$/i
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

function valueType(value: string): CsvColumnType | null {
  if (value === '') {
    return null
  }
  if (INTEGER.test(value)) {
    return 'integer'
  }
  if (NUMBER.test(value)) {
    return 'number'
  }
  if (BOOLEAN.test(value)) {
    return 'boolean'
  }
  return TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)) ? 'timestamp' : 'string'
}

function widen(a: CsvColumnType | null, b: CsvColumnType | null): CsvColumnType | null {
  if (a === null || a === b) {
    return b ?? a
  }
  if (b === null) {
    return a
  }
  if ((a === 'integer' && b === 'number') || (a === 'number' && b === 'integer')) {
    return 'number'
  }
  return 'string'
}

/** Column names from the header row: blanks become column_N, duplicates get _2, _3… */
export function headerNames(fields: string[]): string[] {
  const seen = new Map<string, number>()
  return fields.map((raw, index) => {
    const base = raw.trim() || `column_${index + 1}`
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    return n === 1 ? base : `${base}_${n}`
  })
}

/** Infers each column's type from sample rows; a column with only blanks is a string. */
export function inferColumns(names: string[], sample: string[][]): CsvColumn[] {
  return names.map((name, index) => {
    let type: CsvColumnType | null = null
    for (const row of sample) {
      type = widen(type, valueType(row[index] ?? ''))
      if (type === 'string') {
        break
      }
    }
    return { name, type: type ?? 'string' }
  })
}

/**
 * A row as a record, values converted by the inferred type. A value that does not fit
 * (the sample did not see it) stays a string: nothing is lost. Blank → null.
 */
export function toRecord(columns: CsvColumn[], fields: string[]): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  columns.forEach((column, index) => {
    const value = fields[index] ?? ''
    if (value === '') {
      record[column.name] = null
      return
    }
    const type = valueType(value)
    if (column.type === 'integer' && type === 'integer') {
      record[column.name] = Number(value)
    } else if (column.type === 'number' && (type === 'integer' || type === 'number')) {
      record[column.name] = Number(value)
    } else if (column.type === 'boolean' && type === 'boolean') {
      record[column.name] = value.toLowerCase() === 'true'
    } else {
      record[column.name] = value
    }
  })
  if (fields.length > columns.length) {
    record._extra = fields.slice(columns.length)
  }
  return record
}
