import { createHash } from 'node:crypto'
import mysql from 'mysql2'
import pg from 'pg'
import { AppError } from '../../platform/errors.ts'
import { outboundFailed } from '../../platform/safe-fetch.ts'
import type { SqlConfig } from './data-sources.config.ts'
import type { FetchedPage, FetchOptions } from './fetch-source.ts'

/**
 * PostgreSQL and MySQL/MariaDB sources. Database hosts are usually internal, so they are
 * not SSRF-checked like HTTP (only the host string is validated); connections are
 * short-lived, every statement runs in a READ ONLY transaction with a statement timeout,
 * and MySQL's LOAD DATA LOCAL is disabled so a hostile server can't read our files.
 */

export type SqlKind = 'postgresql' | 'mysql'
export const CONNECT_TIMEOUT_MS = 5_000
const MAX_TABLES = 500
const MAX_COLUMNS = 5_000
const DEFAULT_ROW_CAP = 1_000_000

export interface SqlSession {
  /** Runs a statement (no parameters) and returns its rows. */
  query(text: string): Promise<Array<Record<string, unknown>>>
  /** Streams a SELECT's rows in batches. */
  batches(select: string, batchSize: number, cap: number): AsyncGenerator<Array<Record<string, unknown>>>
  /**
   * Runs one statement with bind parameters ($1… for PostgreSQL, ? for MySQL) and reads at
   * most maxRows rows of it (saved queries). Driver errors are thrown as they are.
   */
  run(text: string, values: unknown[], maxRows: number): Promise<SqlRunResult>
  close(): Promise<void>
}

export interface SqlRunResult {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
}

// Type names of the OIDs a query usually returns; anything else reports its OID.
const PG_TYPES: Record<number, string> = {
  16: 'boolean', 17: 'bytea', 20: 'bigint', 21: 'smallint', 23: 'integer', 25: 'text', 114: 'json', 700: 'real', 701: 'double precision',
  1042: 'character', 1043: 'character varying', 1082: 'date', 1083: 'time', 1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval',
  1700: 'numeric', 2950: 'uuid', 3802: 'jsonb', 1009: 'text[]', 1007: 'integer[]', 1016: 'bigint[]',
}
const MYSQL_TYPES: Record<number, string> = Object.fromEntries(Object.entries(mysql.Types).map(([name, id]) => [id as number, name.toLowerCase()]))

const where = (kind: SqlKind, config: SqlConfig) => `${kind === 'postgresql' ? 'PostgreSQL' : 'MySQL'} at ${config.host}:${config.port}`

function sslAttempts(config: SqlConfig): Array<false | { rejectUnauthorized: boolean; servername?: string }> {
  switch (config.sslMode) {
    case 'disable':
      return [false]
    case 'prefer':
      return [{ rejectUnauthorized: false }, false]
    case 'require':
      return [{ rejectUnauthorized: false }]
    case 'verify-full':
      return [{ rejectUnauthorized: true, servername: config.host }]
  }
}

const noSslSupport = (error: unknown) =>
  /does not support SSL|HANDSHAKE_NO_SSL_SUPPORT|Server does not support secure connection/i.test(`${(error as Error).message} ${(error as { code?: string }).code ?? ''}`)

async function connectPostgres(config: SqlConfig, timeoutMs: number): Promise<SqlSession> {
  let lastError: unknown
  for (const ssl of sslAttempts(config)) {
    const client = new pg.Client({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password ?? '',
      ssl,
      connectionTimeoutMillis: timeoutMs,
      application_name: 'tessera-source',
      options: '-c default_transaction_read_only=on',
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
    } catch (error) {
      lastError = error
      await client.end().catch(() => undefined)
      if (noSslSupport(error)) {
        continue
      }
      break
    }
    return {
      async query(text) {
        return (await client.query({ text, queryMode: 'extended' } as pg.QueryConfig)).rows as Array<Record<string, unknown>>
      },
      async *batches(select, batchSize, cap) {
        // A cursor: one statement, and rows come in batches instead of all at once.
        await client.query({ text: `declare tessera_cursor no scroll cursor for ${select}`, queryMode: 'extended' } as pg.QueryConfig)
        let fetched = 0
        while (fetched < cap) {
          const { rows } = await client.query(`fetch forward ${Math.min(batchSize, cap - fetched)} from tessera_cursor`)
          if (rows.length === 0) {
            return
          }
          fetched += rows.length
          yield rows as Array<Record<string, unknown>>
        }
      },
      async run(text, values, maxRows) {
        // A cursor with the bind parameters: only the first maxRows rows leave the server.
        await client.query({ text: `declare tessera_run no scroll cursor for ${text}`, values, queryMode: 'extended' } as pg.QueryConfig)
        const result = await client.query(`fetch forward ${Math.max(1, Math.floor(maxRows))} from tessera_run`)
        return {
          columns: result.fields.map((field) => ({ name: field.name, type: PG_TYPES[field.dataTypeID] ?? `oid:${field.dataTypeID}` })),
          rows: result.rows as Array<Record<string, unknown>>,
        }
      },
      close: () => client.end().catch(() => undefined),
    }
  }
  throw outboundFailed(`Could not connect to ${where('postgresql', config)}: ${(lastError as Error).message}`, lastError)
}

async function connectMysql(config: SqlConfig, timeoutMs: number): Promise<SqlSession> {
  let lastError: unknown
  for (const ssl of sslAttempts(config)) {
    const connection = mysql.createConnection({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password ?? '',
      connectTimeout: timeoutMs,
      ...(ssl ? { ssl } : {}),
      flags: ['-LOCAL_FILES', '-MULTI_STATEMENTS'],
      multipleStatements: false,
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
    })
    connection.on('error', () => undefined)
    try {
      await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())))
    } catch (error) {
      lastError = error
      connection.destroy()
      if (noSslSupport(error)) {
        continue
      }
      break
    }
    const query = (text: string) =>
      new Promise<Array<Record<string, unknown>>>((resolve, reject) =>
        connection.query(text, (error, rows) => (error ? reject(error) : resolve(Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : []))),
      )
    let abandoned = false
    return {
      query,
      run(text, values, maxRows) {
        // A server-side prepared statement (execute, not query): values never enter the SQL text.
        // Rows stream in; past maxRows the connection is dropped rather than drained.
        return new Promise<SqlRunResult>((resolve, reject) => {
          let columns: SqlRunResult['columns'] = []
          const rows: Array<Record<string, unknown>> = []
          let settled = false
          const command = connection.execute(text, values as never[])
          command.on('fields', (fields: Array<{ name: string; columnType?: number; type?: number }>) => {
            columns = (fields ?? []).map((field) => {
              const id = field.columnType ?? field.type ?? -1
              return { name: field.name, type: MYSQL_TYPES[id] ?? `type:${id}` }
            })
          })
          command.on('result', (row: unknown) => {
            if (settled) {
              return
            }
            if (Array.isArray(row) || typeof row !== 'object' || row === null || 'affectedRows' in row) {
              return
            }
            rows.push(row as Record<string, unknown>)
            if (rows.length >= maxRows) {
              settled = true
              abandoned = true
              connection.pause()
              resolve({ columns, rows })
            }
          })
          command.on('error', (error: Error) => {
            if (!settled) {
              settled = true
              reject(error)
            }
          })
          command.on('end', () => {
            if (!settled) {
              settled = true
              resolve({ columns, rows })
            }
          })
        })
      },
      async *batches(select, batchSize, cap) {
        const stream = connection.query(`select * from (${select}) as tessera_q limit ${cap}`).stream({ highWaterMark: batchSize })
        let batch: Array<Record<string, unknown>> = []
        for await (const row of stream) {
          batch.push(row as Record<string, unknown>)
          if (batch.length >= batchSize) {
            yield batch
            batch = []
          }
        }
        if (batch.length > 0) {
          yield batch
        }
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (abandoned) {
            connection.destroy()
            resolve()
            return
          }
          connection.end(() => resolve())
          setTimeout(() => {
            connection.destroy()
            resolve()
          }, 1000).unref()
        }),
    }
  }
  throw outboundFailed(`Could not connect to ${where('mysql', config)}: ${(lastError as Error).message}`, lastError)
}

/** Opens a session inside a READ ONLY transaction with a statement timeout. */
export async function openSqlSession(kind: SqlKind, config: SqlConfig, options: { connectTimeoutMs?: number; statementTimeoutMs?: number } = {}): Promise<SqlSession> {
  const session = kind === 'postgresql' ? await connectPostgres(config, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS) : await connectMysql(config, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)
  const timeout = Math.max(1, Math.round(options.statementTimeoutMs ?? 60_000))
  try {
    if (kind === 'postgresql') {
      await session.query('begin transaction read only')
      await session.query(`set local statement_timeout = ${timeout}`)
    } else {
      const [row] = await session.query('select version() as version')
      // MariaDB and MySQL name the limit differently (seconds vs milliseconds).
      await session.query(/mariadb/i.test(String(row?.version)) ? `set session max_statement_time = ${timeout / 1000}` : `set session max_execution_time = ${timeout}`)
      // Session-wide too: DDL commits the open transaction implicitly in MySQL, and the next
      // (implicit) transaction must still be read-only.
      await session.query('set session transaction read only')
      await session.query('start transaction read only')
    }
  } catch (error) {
    await session.close()
    throw outboundFailed(`${where(kind, config)}: ${(error as Error).message}`, error)
  }
  return session
}

/** Connects, runs `select 1` read-only, and reports the server version. */
export async function testSqlSource(kind: SqlKind, config: SqlConfig): Promise<{ version: string }> {
  const session = await openSqlSession(kind, config, { statementTimeoutMs: 10_000 })
  try {
    await session.query('select 1')
    const [row] = await session.query('select version() as version')
    return { version: String(row?.version ?? '') }
  } catch (error) {
    throw outboundFailed(`${where(kind, config)}: ${(error as Error).message}`, error)
  } finally {
    await session.close()
  }
}

export interface SqlSchemaMetadata {
  kind: 'sql'
  tables: Array<{ schema: string; name: string; type: string; columns: Array<{ name: string; type: string; nullable: boolean }> }>
  truncated: boolean
}

/** Tables and columns from information_schema, system schemas excluded, capped. */
export async function discoverSqlSource(kind: SqlKind, config: SqlConfig): Promise<SqlSchemaMetadata> {
  const session = await openSqlSession(kind, config, { statementTimeoutMs: 30_000 })
  const system =
    kind === 'postgresql'
      ? "c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg\\_toast%' and c.table_schema not like 'pg\\_temp%'"
      : "c.table_schema not in ('mysql', 'information_schema', 'performance_schema', 'sys')"
  try {
    const rows = await session.query(
      `select c.table_schema as table_schema, c.table_name as table_name, t.table_type as table_type, c.column_name as column_name,
              c.data_type as data_type, c.is_nullable as is_nullable
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where ${system}
        order by c.table_schema, c.table_name, c.ordinal_position
        limit ${MAX_COLUMNS + 1}`,
    )
    const tables: SqlSchemaMetadata['tables'] = []
    const byKey = new Map<string, SqlSchemaMetadata['tables'][number]>()
    for (const row of rows.slice(0, MAX_COLUMNS)) {
      const key = `${String(row.table_schema)}.${String(row.table_name)}`
      let table = byKey.get(key)
      if (!table) {
        if (tables.length >= MAX_TABLES) {
          break
        }
        table = { schema: String(row.table_schema), name: String(row.table_name), type: String(row.table_type), columns: [] }
        byKey.set(key, table)
        tables.push(table)
      }
      table.columns.push({ name: String(row.column_name), type: String(row.data_type), nullable: row.is_nullable === 'YES' })
    }
    return { kind: 'sql', tables, truncated: rows.length > MAX_COLUMNS || byKey.size >= MAX_TABLES }
  } catch (error) {
    throw outboundFailed(`${where(kind, config)}: ${(error as Error).message}`, error)
  } finally {
    await session.close()
  }
}

/** JSON-safe values: dates as ISO strings, binary as base64. */
export function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    out[key] = value instanceof Date ? (Number.isNaN(value.getTime()) ? null : value.toISOString()) : Buffer.isBuffer(value) ? value.toString('base64') : typeof value === 'bigint' ? value.toString() : value
  }
  return out
}

/** Runs the pipeline's SELECT read-only and yields its rows in batches. */
export async function* fetchSqlPages(kind: SqlKind, config: SqlConfig, query: string, options: FetchOptions = {}): AsyncGenerator<FetchedPage> {
  const select = query.trim().replace(/;+\s*$/, '')
  if (!/^(select|with|values|table|\()/i.test(select)) {
    throw new AppError('validation_failed', 400, 'The query must be a single SELECT statement')
  }
  const batchSize = options.batchSize ?? 1000
  const cap = Math.min(options.maxRecords ?? DEFAULT_ROW_CAP, DEFAULT_ROW_CAP)
  const session = await openSqlSession(kind, config, { statementTimeoutMs: options.statementTimeoutMs ?? 60_000 })
  try {
    let number = 0
    let started = Date.now()
    const iterator = session.batches(select, batchSize, cap)
    for (;;) {
      if (options.signal?.aborted) {
        throw new AppError('validation_failed', 400, 'The fetch was cancelled')
      }
      let next: IteratorResult<Array<Record<string, unknown>>>
      try {
        next = await iterator.next()
      } catch (error) {
        throw outboundFailed(`${where(kind, config)}: ${(error as Error).message}`, error)
      }
      if (next.done) {
        return
      }
      const records = next.value.map(plain)
      const bytes = Buffer.from(JSON.stringify(records))
      number++
      yield {
        name: `batch ${number}`,
        contentType: 'application/json',
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        records,
        responseMs: Date.now() - started,
        requestHeaders: {},
        responseHeaders: {},
      }
      started = Date.now()
    }
  } finally {
    await session.close()
  }
}
