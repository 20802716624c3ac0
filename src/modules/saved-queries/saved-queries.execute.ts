import type { Config } from '../../platform/config.ts'
import { AppError } from '../../platform/errors.ts'
import type { SqlConfig } from '../data-sources/data-sources.config.ts'
import type { DataSourceForRun } from '../data-sources/fetch-source.ts'
import { openSqlSession, plain, type SqlKind } from '../data-sources/sql-source.ts'
import type { CompiledQuery } from './saved-queries.params.ts'

/**
 * Runs user SQL on an external PostgreSQL or MySQL source, through the data sources'
 * connection code: a READ ONLY transaction with the statement timeout (and, for MySQL, a
 * read-only session, since DDL commits implicitly), one statement, at most rowLimit + 1 rows
 * fetched so truncation is known. Never against Tessera's own database.
 */

export interface ExecutionResult {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
  rowCount: number
  truncated: boolean
  durationMs: number
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'localhost.localdomain'])
const normalizeHost = (host: string) => {
  const lower = host.trim().toLowerCase().replace(/\.$/, '')
  return LOOPBACK.has(lower) || lower.startsWith('127.') ? 'loopback' : lower
}

/** The host, port and database of each connection string Tessera itself uses. */
export function ownDatabases(config: Pick<Config, 'databaseUrl' | 'databaseRuntimeUrl'>, ownerUrl: string): Array<{ host: string; port: number; database: string }> {
  const out: Array<{ host: string; port: number; database: string }> = []
  for (const raw of [ownerUrl, config.databaseUrl, config.databaseRuntimeUrl]) {
    if (!raw) {
      continue
    }
    try {
      const url = new URL(raw)
      const host = url.hostname || url.searchParams.get('host') || 'localhost'
      out.push({ host: normalizeHost(host), port: Number(url.port || 5432), database: decodeURIComponent(url.pathname.replace(/^\//, '')) })
    } catch {
      // Not a URL (a libpq keyword string): nothing to compare with.
    }
  }
  return out
}

/** Refuses what saved queries may not run against: other source types, and Tessera's own database. */
export function assertRunnableSource(source: DataSourceForRun, own: ReturnType<typeof ownDatabases>): { kind: SqlKind; config: SqlConfig } {
  if (source.type !== 'postgresql' && source.type !== 'mysql') {
    throw new AppError('source_not_allowed', 400, `Saved queries run only against PostgreSQL or MySQL sources (this one is ${source.type})`)
  }
  const config = source.config as SqlConfig
  if (source.type === 'postgresql') {
    const host = normalizeHost(config.host)
    if (own.some((db) => db.host === host && db.port === Number(config.port) && db.database === config.database)) {
      throw new AppError('source_not_allowed', 400, "This data source points at Tessera's own database; saved queries never run there")
    }
  }
  return { kind: source.type, config }
}

const READ_ONLY_START = /^(select|with|values|table|\()/i

/** Leading comments and a trailing semicolon removed (one statement only). */
export function normalizeStatement(text: string): string {
  let rest = text.trim()
  for (;;) {
    if (rest.startsWith('--')) {
      const end = rest.indexOf('\n')
      rest = end === -1 ? '' : rest.slice(end + 1).trimStart()
    } else if (rest.startsWith('/*')) {
      const end = rest.indexOf('*/')
      rest = end === -1 ? '' : rest.slice(end + 2).trimStart()
    } else {
      break
    }
  }
  return rest.replace(/;\s*$/, '').trimEnd()
}

/** Only a query statement is accepted; the read-only transaction is the backstop for the rest. */
export function assertReadOnlyStatement(text: string): void {
  if (!READ_ONLY_START.test(normalizeStatement(text))) {
    throw new AppError('query_not_read_only', 400, 'Saved queries are read-only: write one SELECT, WITH … SELECT or VALUES statement')
  }
}

interface DriverError {
  code?: string
  errno?: number
  sqlMessage?: string
  message?: string
}

/** The source's error as a client error with a stable code (never a 500). */
export function mapDriverError(error: unknown, timeoutMs: number): AppError {
  if (error instanceof AppError) {
    return error
  }
  const e = (error ?? {}) as DriverError
  const message = e.sqlMessage ?? e.message ?? String(error)
  if (e.code === '57014' || e.errno === 1969 || e.errno === 3024 || e.errno === 1317 || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return new AppError('query_timeout', 400, `The query ran longer than its ${timeoutMs} ms timeout and was cancelled`, { cause: error })
  }
  if (e.code === '25006' || e.errno === 1792) {
    return new AppError('query_not_read_only', 400, `Saved queries are read-only: ${message}`, { cause: error })
  }
  return new AppError('query_failed', 400, `The data source rejected the query: ${message}`, { cause: error })
}

/** Runs a compiled statement read-only; rowLimit + 1 rows are read to report truncation. */
export async function executeOnSource(kind: SqlKind, config: SqlConfig, query: CompiledQuery, options: { rowLimit: number; timeoutMs: number }): Promise<ExecutionResult> {
  const statement = normalizeStatement(query.text)
  assertReadOnlyStatement(statement)
  const session = await openSqlSession(kind, config, { statementTimeoutMs: options.timeoutMs })
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    // The server enforces the timeout; this is the backstop if it doesn't (MySQL lets SLEEP
    // return early instead of failing), a second later.
    const guard = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('client-side timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' })), options.timeoutMs + 1000)
    })
    const result = await Promise.race([session.run(statement, query.values, options.rowLimit + 1), guard])
    const durationMs = Math.round(performance.now() - started)
    const truncated = result.rows.length > options.rowLimit
    const rows = result.rows.slice(0, options.rowLimit).map(plain)
    return { columns: result.columns, rows, rowCount: rows.length, truncated, durationMs }
  } catch (error) {
    throw mapDriverError(error, options.timeoutMs)
  } finally {
    clearTimeout(timer)
    await session.close()
  }
}
