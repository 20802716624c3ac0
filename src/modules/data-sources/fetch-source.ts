import type { SecretBox } from '../../platform/crypto.ts'
import type { Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { fetchApiPages } from './api-source.ts'
import { fetchCsvPages } from './csv-source.ts'
import { joinSecrets, type ApiConfig, type DataSourceType, type SourceConfig, type SqlConfig } from './data-sources.config.ts'
import { decryptSecrets } from './data-sources.secrets.ts'
import { fetchSqlPages } from './sql-source.ts'

/**
 * Reading records out of a data source, page by page: the fetching stage of pipeline runs
 * uses this. One page per HTTP page, SQL batch or CSV chunk; each carries what
 * fetching_history and fetched_contents record (size, SHA-256, timing, redacted headers).
 */

export interface FetchedPage {
  /** "page 3", "batch 2", "orders.csv rows 5001-10000". */
  name: string
  /** The URL fetched (HTTP sources), secrets in the query redacted. */
  url?: string
  contentType: string
  /** Bytes of the raw content (HTTP body; JSON of the batch for SQL; CSV bytes of the chunk). */
  sizeBytes: number
  /** SHA-256 (hex) of those bytes. */
  sha256: string
  records: unknown[]
  /** HTTP status (HTTP sources). */
  status?: number
  responseMs: number
  /** Headers sent, secrets redacted. */
  requestHeaders: Record<string, string>
  responseHeaders: Record<string, string>
}

export interface FetchOptions {
  /** SQL sources: the SELECT the pipeline defines; run read-only with a statement timeout and a row cap. */
  query?: string
  signal?: AbortSignal
  /** Stop after this many records in total (the last page is truncated). */
  maxRecords?: number
  /** Records per page for SQL and CSV sources (default 1000 / 5000). */
  batchSize?: number
  /** SQL statement timeout (default 60 s). */
  statementTimeoutMs?: number
  /** HTTP: per request (default 30 s). */
  requestTimeoutMs?: number
}

export interface CsvFileForRun {
  id: string
  name: string
  content: Buffer
  delimiter: string
  columns: Array<{ name: string; type: string }>
  rowCount: number
}

/** A data source with its secrets decrypted: never send this to a client or a log. */
export interface DataSourceForRun {
  id: string
  organizationId: string
  name: string
  type: DataSourceType
  config: SourceConfig
  /** csv sources: the latest uploaded file. */
  file?: CsvFileForRun
}

export type FetchServices = Pick<Services, 'settings'>

export const REDACTED = '[redacted]'

/**
 * Loads a source for a run, secrets decrypted, inside the caller's tenant transaction
 * (RLS applies). A csv source comes with the bytes of its latest file.
 */
export async function loadDataSourceForRun(trx: Trx, orgId: string, id: string, box: SecretBox): Promise<DataSourceForRun> {
  const row = await trx
    .selectFrom('app.data_sources')
    .select(['id', 'organization_id', 'name', 'type', 'connection_config', 'credentials_encrypted'])
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) {
    throw notFound('data source')
  }
  const type = row.type as DataSourceType
  const secrets = decryptSecrets(box, row.organization_id, row.id, row.credentials_encrypted)
  const source: DataSourceForRun = {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    type,
    config: joinSecrets(type, row.connection_config as Record<string, unknown>, secrets),
  }
  if (type === 'csv') {
    const file = await trx
      .selectFrom('app.data_source_files')
      .select(['id', 'name', 'content', 'delimiter', 'columns', 'row_count'])
      .where('organization_id', '=', orgId)
      .where('data_source_id', '=', id)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (file) {
      source.file = {
        id: file.id,
        name: file.name,
        content: file.content,
        delimiter: file.delimiter,
        columns: file.columns as Array<{ name: string; type: string }>,
        rowCount: file.row_count,
      }
    }
  }
  return source
}

/**
 * Yields the source's records page by page. Errors are AppErrors with the exact reason
 * (outbound_blocked / outbound_failed for network and driver failures).
 */
export async function* fetchFromSource(services: FetchServices, source: DataSourceForRun, options: FetchOptions = {}): AsyncGenerator<FetchedPage> {
  switch (source.type) {
    case 'api':
      yield* fetchApiPages(services, source.config as ApiConfig, options)
      return
    case 'postgresql':
    case 'mysql':
      if (!options.query) {
        throw new AppError('validation_failed', 400, `A ${source.type} source needs a query (a SELECT) to fetch records`)
      }
      yield* fetchSqlPages(source.type, source.config as SqlConfig, options.query, options)
      return
    case 'csv':
      if (!source.file) {
        throw new AppError('validation_failed', 400, `The CSV source "${source.name}" has no uploaded file`)
      }
      yield* fetchCsvPages(source.file, options)
      return
    case 'push':
      throw new AppError('validation_failed', 400, 'A push source receives records through the ingest API or its webhook; it cannot be fetched')
    case 'mongodb':
    case 'bigquery':
      throw new AppError('validation_failed', 400, `Fetching from ${source.type} sources is not supported yet`)
  }
}
