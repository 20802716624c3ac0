import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { AppError } from '../../platform/errors.ts'
import { CsvParser, detectDelimiter, headerNames, inferColumns, toRecord, type CsvColumn, type CsvRow } from './csv.ts'
import type { CsvFileForRun, FetchedPage, FetchOptions } from './fetch-source.ts'

/** CSV sources: parsing an upload as it streams in, and reading a stored file back as pages. */

const SAMPLE_ROWS = 1000

export interface ParsedCsvUpload {
  content: Buffer
  sizeBytes: number
  sha256: string
  delimiter: string
  columns: CsvColumn[]
  rowCount: number
  sample: Array<Record<string, unknown>>
}

/**
 * Reads a CSV stream to the end: checks the size as bytes arrive (413 past maxBytes),
 * parses every row (so a malformed file is refused now, not during a run), counts rows and
 * infers column types from the first rows.
 */
export async function parseCsvUpload(stream: AsyncIterable<Buffer | string> & Partial<Pick<Readable, 'destroy'>>, options: { maxBytes: number; delimiter?: string }): Promise<ParsedCsvUpload> {
  const chunks: Buffer[] = []
  const hash = createHash('sha256')
  const decoder = new StringDecoder('utf8')
  let size = 0
  let parser: CsvParser | undefined
  let delimiter = options.delimiter
  let header: string[] | undefined
  const sample: string[][] = []
  let rowCount = 0
  let pending = ''
  const take = (rows: Array<{ fields: string[] }>) => {
    for (const row of rows) {
      if (!header) {
        header = headerNames(row.fields)
        continue
      }
      rowCount++
      if (sample.length < SAMPLE_ROWS) {
        sample.push(row.fields)
      }
    }
  }
  const parse = (text: string) => {
    if (!parser) {
      pending += text
      // Wait for a full first line (or 64 KiB) to detect the delimiter.
      if (!/[\r\n]/.test(pending) && pending.length < 65_536) {
        return
      }
      text = pending.replace(/^\uFEFF/, '')
      pending = ''
      delimiter ??= detectDelimiter(text)
      parser = new CsvParser(delimiter)
    }
    take(parser.feed(text))
  }
  try {
    for await (const raw of stream) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw
      size += chunk.length
      if (size > options.maxBytes) {
        stream.destroy?.()
        throw new AppError('payload_too_large', 413, `The file is larger than the ${Math.round(options.maxBytes / 1024 / 1024)} MB limit (setting max_file_size_mb)`)
      }
      hash.update(chunk)
      chunks.push(chunk)
      parse(decoder.write(chunk))
    }
    parse(decoder.end())
    if (!parser && pending !== '') {
      const text = pending.replace(/^\uFEFF/, '')
      pending = ''
      delimiter ??= detectDelimiter(text)
      parser = new CsvParser(delimiter)
      take(parser.feed(text))
    }
    if (parser) {
      take(parser.finish())
    }
  } catch (error) {
    if (error instanceof AppError) {
      throw error
    }
    throw new AppError('validation_failed', 400, `The CSV file could not be parsed: ${(error as Error).message}`, { cause: error })
  }
  if (!header) {
    throw new AppError('validation_failed', 400, 'The CSV file is empty: it needs a header row')
  }
  const columns = inferColumns(header, sample)
  return {
    content: Buffer.concat(chunks),
    sizeBytes: size,
    sha256: hash.digest('hex'),
    delimiter: delimiter ?? ',',
    columns,
    rowCount,
    sample: sample.slice(0, 20).map((fields) => toRecord(columns, fields)),
  }
}

/** The rows of a text, parsed a slice at a time so a large file is never split all at once. */
function* rowsOf(text: string, delimiter: string): Generator<CsvRow> {
  const parser = new CsvParser(delimiter)
  const slice = 1024 * 1024
  for (let position = 0; position < text.length; position += slice) {
    yield* parser.feed(text.slice(position, position + slice))
  }
  yield* parser.finish()
}

/** Reads a stored file back as pages of records (5000 rows each by default). */
export async function* fetchCsvPages(file: CsvFileForRun, options: FetchOptions = {}): AsyncGenerator<FetchedPage> {
  const batchSize = options.batchSize ?? 5000
  const text = file.content.toString('utf8').replace(/^\uFEFF/, '')
  const columns: CsvColumn[] = file.columns.map((c) => ({ name: c.name, type: c.type as CsvColumn['type'] }))
  let remaining = options.maxRecords ?? Number.POSITIVE_INFINITY
  let started = Date.now()
  let start = 0
  let first = 0
  let number = 0
  let batch: CsvRow[] = []
  const page = (): FetchedPage => {
    const end = batch[batch.length - 1]!.end
    const bytes = Buffer.from(text.slice(start, end))
    const result: FetchedPage = {
      name: `${file.name} rows ${first + 1}-${first + batch.length}`,
      contentType: 'text/csv',
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      records: batch.map((row) => toRecord(columns, row.fields)),
      responseMs: Date.now() - started,
      requestHeaders: {},
      responseHeaders: {},
    }
    start = end
    first += batch.length
    remaining -= batch.length
    batch = []
    started = Date.now()
    return result
  }
  for (const row of rowsOf(text, file.delimiter)) {
    if (number++ === 0) {
      start = row.end // the header row is not a record
      continue
    }
    batch.push(row)
    if (batch.length >= Math.min(batchSize, remaining)) {
      if (options.signal?.aborted) {
        throw new AppError('validation_failed', 400, 'The fetch was cancelled')
      }
      yield page()
      if (remaining <= 0) {
        return
      }
    }
  }
  if (batch.length > 0) {
    yield page()
  }
}
