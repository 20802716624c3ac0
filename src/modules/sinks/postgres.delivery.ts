import { isIP } from 'node:net'
import pg from 'pg'
import { AppError } from '../../platform/errors.ts'
import { formatAddress } from '../../platform/safe-fetch-address.ts'
import { loadOutboundPolicy, resolveOutbound } from '../../platform/safe-fetch.ts'
import type { SettingsCache } from '../../platform/settings-cache.ts'
import type { PostgresSinkConfig } from '../pipelines/sinks.service.ts'
import type { Outcome } from './delivery.outcome.ts'

/**
 * PostgreSQL table sinks. Each batch is inserted into schema.table in one transaction, so a
 * batch lands whole or not at all (a retry never doubles half of it). How records meet columns:
 * - a record's key fills the column of exactly that name (case-sensitive); keys without a
 *   column are ignored; values are converted by jsonb_populate_recordset, i.e. PostgreSQL's
 *   own input of the column type (numbers, ISO timestamps, nested JSON into json/jsonb, …);
 * - only columns that some record of the batch names are inserted, so the others keep their
 *   defaults; a named column missing from one record gets NULL in that record's row;
 * - identity (GENERATED ALWAYS) and generated columns are never written.
 * The destination host passes the same outbound address guard as safeFetch (loopback, private
 * and metadata addresses only when allowlisted), and the connection goes to the address that
 * was checked.
 */

const CONNECT_TIMEOUT_MS = 10_000
const STATEMENT_TIMEOUT_MS = 30_000

/** SQLSTATE classes a retry can't fix: data (22), integrity (23), access/syntax (42), authentication (28), no such database (3D). */
const PERMANENT_CLASSES = new Set(['22', '23', '42', '28', '3D'])

type Ssl = false | { rejectUnauthorized: boolean; servername?: string }

function sslAttempts(config: PostgresSinkConfig): Ssl[] {
  switch (config.sslMode ?? 'prefer') {
    case 'disable':
      return [false]
    case 'require':
      return [{ rejectUnauthorized: false }]
    case 'verify-full':
      // The connection goes to a checked address: the certificate is checked against the name.
      return [{ rejectUnauthorized: true, servername: config.host }]
    default:
      return [{ rejectUnauthorized: false }, false]
  }
}

const noSslSupport = (error: unknown) => /does not support SSL/i.test((error as Error).message)

async function connect(settings: SettingsCache, config: PostgresSinkConfig): Promise<pg.Client> {
  const port = config.port ?? 5432
  const host = isIP(config.host) === 6 ? `[${config.host}]` : config.host
  const address = await resolveOutbound(await loadOutboundPolicy(settings), new URL(`http://${host}:${port}/`))
  let lastError: unknown
  for (const ssl of sslAttempts(config)) {
    const client = new pg.Client({
      host: formatAddress(address),
      port,
      database: config.database,
      user: config.user,
      password: config.password ?? '',
      ssl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: 'tessera-sink',
    })
    client.on('error', () => undefined)
    try {
      await client.connect()
      return client
    } catch (error) {
      lastError = error
      await client.end().catch(() => undefined)
      if (!noSslSupport(error)) {
        break
      }
    }
  }
  throw lastError
}

/** The keys the batch's records use, in first-seen order. */
function recordKeys(payload: string): string[] {
  const keys = new Set<string>()
  for (const record of JSON.parse(payload) as unknown[]) {
    if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
      for (const key of Object.keys(record)) {
        keys.add(key)
      }
    }
  }
  return [...keys]
}

async function insertBatch(client: pg.Client, config: PostgresSinkConfig, payload: string): Promise<Outcome> {
  const schema = config.schema ?? 'public'
  const target = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(config.table)}`
  await client.query('begin')
  const { rows } = await client.query<{ name: string }>(
    `select a.attname as name from pg_attribute a
      where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped and a.attidentity <> 'a' and a.attgenerated = ''`,
    [target])
  if (rows.length === 0) {
    await client.query('rollback')
    return { kind: 'failed', error: `The table ${schema}.${config.table} does not exist (or has no column this sink can write)` }
  }
  const writable = new Set(rows.map((row) => row.name))
  const columns = recordKeys(payload).filter((key) => writable.has(key))
  if (columns.length === 0) {
    await client.query('rollback')
    return { kind: 'failed', error: `No key of the records matches a column of ${schema}.${config.table}` }
  }
  const list = columns.map((column) => client.escapeIdentifier(column)).join(', ')
  await client.query(`insert into ${target} (${list}) select ${list} from jsonb_populate_recordset(null::${target}, $1::jsonb)`, [payload])
  await client.query('commit')
  return { kind: 'delivered' }
}

export async function deliverToPostgres(services: { settings: SettingsCache }, config: PostgresSinkConfig, delivery: { payload: string }): Promise<Outcome> {
  const where = `PostgreSQL at ${config.host}:${config.port ?? 5432}/${config.database}`
  let client: pg.Client
  try {
    client = await connect(services.settings, config)
  } catch (error) {
    if (error instanceof AppError && error.code === 'outbound_blocked') {
      return { kind: 'failed', error: error.message }
    }
    return classify(error, `Could not connect to ${where}`)
  }
  try {
    return await insertBatch(client, config, delivery.payload)
  } catch (error) {
    return classify(error, where)
  } finally {
    await client.end().catch(() => undefined)
  }
}

function classify(error: unknown, where: string): Outcome {
  const code = (error as { code?: unknown }).code
  const message = `${where}: ${(error as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_CLASSES.has(code.slice(0, 2)) ? { kind: 'failed', error: message } : { kind: 'retry', error: message }
}
