import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createDataSource, dataSourcesUrl } from '../../../test/data-sources.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { fetchFromSource, loadDataSourceForRun, type FetchedPage, type FetchOptions } from './fetch-source.ts'

/**
 * SQL sources against real servers on loopback: the test PostgreSQL (a throwaway database
 * and a read-only login made as superuser) and the machine's MariaDB (root, no password).
 */

let ctx: TestContext
let org: OrgFixture
const suffix = randomBytes(4).toString('hex')
const PG_ROLE = `ds_reader_${suffix}`
const PG_PASSWORD = `pw-${randomBytes(8).toString('hex')}`
let pgDatabase: string
let pgPort: number
const MY_DATABASE = `tessera_src_${suffix}`
let maria: mysql.Connection

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))

  // PostgreSQL: a database of its own (named after the test database, so the run's cleanup drops it).
  pgDatabase = `${ctx.testDb.name}_src`
  const adminUrl = new URL(ctx.testDb.adminUrl)
  pgPort = Number(adminUrl.port || 5432)
  await ctx.admin.query(`create database ${pgDatabase}`)
  await ctx.admin.query(`create role ${PG_ROLE} login password '${PG_PASSWORD}'`)
  adminUrl.pathname = `/${pgDatabase}`
  const source = new pg.Client({ connectionString: adminUrl.toString() })
  await source.connect()
  try {
    await source.query(`create schema sales`)
    await source.query(`create table sales.orders (id integer primary key, customer text not null, total numeric(10, 2), placed_at timestamptz not null)`)
    await source.query(`insert into sales.orders select i, 'customer ' || i, i * 1.5, timestamptz '2024-01-01' + i * interval '1 hour' from generate_series(1, 2500) i`)
    await source.query(`create sequence sales.counter`)
    await source.query(`grant usage on schema sales to ${PG_ROLE}`)
    await source.query(`grant select on all tables in schema sales to ${PG_ROLE}`)
    await source.query(`grant usage on sequence sales.counter to ${PG_ROLE}`)
  } finally {
    await source.end()
  }

  maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' })
  await maria.query(`create database ${MY_DATABASE}`)
  await maria.query(`create table ${MY_DATABASE}.events (id int primary key, kind varchar(20) not null, amount decimal(10,2), happened_at datetime not null)`)
  const values = Array.from({ length: 1200 }, (_, i) => `(${i + 1}, '${i % 2 ? 'click' : 'view'}', ${i}.25, '2024-02-01 00:00:00' + interval ${i} minute)`)
  await maria.query(`insert into ${MY_DATABASE}.events values ${values.join(',')}`)
})

afterAll(async () => {
  await maria?.query(`drop database if exists ${MY_DATABASE}`)
  await maria?.end()
  await ctx.admin.query(`drop database if exists ${pgDatabase} with (force)`).catch(() => undefined)
  await ctx.admin.query(`drop role if exists ${PG_ROLE}`).catch(() => undefined)
  await ctx.close()
})

async function fetchAll(id: string, options: FetchOptions): Promise<FetchedPage[]> {
  const source = await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId }, (trx) => loadDataSourceForRun(trx, org.id, id, ctx.services.box))
  const pages: FetchedPage[] = []
  for await (const page of fetchFromSource(ctx.services, source, options)) {
    pages.push(page)
  }
  return pages
}

const pgConfig = (overrides: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: pgPort, database: pgDatabase, user: PG_ROLE, password: PG_PASSWORD, sslMode: 'prefer', ...overrides })
const myConfig = (overrides: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: 3306, database: MY_DATABASE, user: 'root', password: '', sslMode: 'prefer', ...overrides })

describe('PostgreSQL sources', () => {
  it('tests the connection and discovers tables and columns, without system schemas', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'Warehouse', type: 'postgresql', config: pgConfig() })
    expect(source).toMatchObject({ healthStatus: 'healthy', lastHealthError: null })
    const metadata = source.schemaMetadata as { kind: string; tables: Array<{ schema: string; name: string; columns: unknown[] }> }
    expect(metadata.kind).toBe('sql')
    expect(metadata.tables).toEqual([
      {
        schema: 'sales',
        name: 'orders',
        type: 'BASE TABLE',
        columns: [
          { name: 'id', type: 'integer', nullable: false },
          { name: 'customer', type: 'text', nullable: false },
          { name: 'total', type: 'numeric', nullable: true },
          { name: 'placed_at', type: 'timestamp with time zone', nullable: false },
        ],
      },
    ])
    const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
    expect(tested.json()).toMatchObject({ ok: true, details: { version: expect.stringMatching(/^PostgreSQL/) } })
  })

  it('fetches a SELECT in batches, read-only, up to maxRecords', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'Orders', type: 'postgresql', config: pgConfig() })
    const pages = await fetchAll(source.id, { query: 'select id, customer, total, placed_at from sales.orders order by id;', batchSize: 1000 })
    expect(pages.map((page) => page.records.length)).toEqual([1000, 1000, 500])
    expect(pages[0]!.records[0]).toEqual({ id: 1, customer: 'customer 1', total: '1.50', placed_at: '2024-01-01T01:00:00.000Z' })
    expect(pages[0]).toMatchObject({ name: 'batch 1', contentType: 'application/json' })
    expect(pages[0]!.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(pages[0]!.records)))

    const capped = await fetchAll(source.id, { query: 'select id from sales.orders order by id', batchSize: 400, maxRecords: 900 })
    expect(capped.map((page) => page.records.length)).toEqual([400, 400, 100])

    // The transaction is READ ONLY: even a sequence can't move.
    await expect(fetchAll(source.id, { query: "select nextval('sales.counter')" })).rejects.toThrow(/read-only transaction/)
    await expect(fetchAll(source.id, { query: 'delete from sales.orders' })).rejects.toThrow(/single SELECT/)
    await expect(fetchAll(source.id, { query: 'select 1; delete from sales.orders' })).rejects.toMatchObject({ code: 'outbound_failed' })
    await expect(fetchAll(source.id, { query: 'select pg_sleep(2)', statementTimeoutMs: 200 })).rejects.toThrow(/statement timeout/)
  })

  it('reports a wrong password and a missing database exactly', async () => {
    // A server with trust authentication on loopback (the Debian default here) accepts any
    // password; Tessera must then report exactly what the server said: success.
    const probe = new pg.Client({ host: '127.0.0.1', port: pgPort, database: pgDatabase, user: PG_ROLE, password: 'nope' })
    const enforcesPasswords = await probe.connect().then(() => false, () => true)
    await probe.end().catch(() => undefined)
    const wrong = await createDataSource(ctx.app, org, { name: 'Wrong password', type: 'postgresql', config: pgConfig({ password: 'nope' }) })
    if (enforcesPasswords) {
      expect(wrong.healthStatus).toBe('unhealthy')
      expect(wrong.lastHealthError).toBe(`Could not connect to PostgreSQL at 127.0.0.1:${pgPort}: password authentication failed for user "${PG_ROLE}"`)
    } else {
      expect(wrong).toMatchObject({ healthStatus: 'healthy', lastHealthError: null })
    }
    const missing = await createDataSource(ctx.app, org, { name: 'No database', type: 'postgresql', config: pgConfig({ database: 'no_such_db' }) })
    expect(missing.lastHealthError).toBe(`Could not connect to PostgreSQL at 127.0.0.1:${pgPort}: database "no_such_db" does not exist`)
  })

  it('refuses TLS when required and the server has none', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'TLS', type: 'postgresql', config: pgConfig({ sslMode: 'require' }) })
    expect(source.healthStatus).toBe('unhealthy')
    expect(source.lastHealthError).toMatch(/does not support SSL/)
  })
})

describe('MySQL/MariaDB sources', () => {
  it('tests, discovers and fetches from MariaDB', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'Events', type: 'mysql', config: myConfig() })
    expect(source).toMatchObject({ healthStatus: 'healthy', lastHealthError: null })
    const metadata = source.schemaMetadata as { tables: Array<{ schema: string; name: string; columns: Array<{ name: string }> }> }
    const events = metadata.tables.find((table) => table.schema === MY_DATABASE && table.name === 'events')
    expect(events?.columns.map((column) => column.name)).toEqual(['id', 'kind', 'amount', 'happened_at'])
    expect(metadata.tables.some((table) => ['mysql', 'information_schema', 'performance_schema', 'sys'].includes(table.schema))).toBe(false)

    const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
    expect(tested.json()).toMatchObject({ ok: true, details: { version: expect.stringMatching(/MariaDB/) } })

    const pages = await fetchAll(source.id, { query: 'select id, kind, amount from events order by id', batchSize: 500 })
    expect(pages.map((page) => page.records.length)).toEqual([500, 500, 200])
    expect(pages[0]!.records[1]).toEqual({ id: 2, kind: 'click', amount: '1.25' })
    const capped = await fetchAll(source.id, { query: 'select id from events order by id', batchSize: 500, maxRecords: 700 })
    expect(capped.map((page) => page.records.length)).toEqual([500, 200])
  })

  it('runs read-only and reports failures exactly', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'Events RO', type: 'mysql', config: myConfig() })
    await expect(fetchAll(source.id, { query: 'select * from no_such_table' })).rejects.toThrow(/no_such_table' doesn't exist/)
    await expect(fetchAll(source.id, { query: 'update events set kind = 1' })).rejects.toThrow(/single SELECT/)
    const wrong = await createDataSource(ctx.app, org, { name: 'Wrong user', type: 'mysql', config: myConfig({ user: 'nobody_here', password: 'x' }) })
    expect(wrong.lastHealthError).toMatch(/^Could not connect to MySQL at 127\.0\.0\.1:3306: Access denied for user 'nobody_here'/)
    const refused = await createDataSource(ctx.app, org, { name: 'Refused', type: 'mysql', config: myConfig({ port: 1 }) })
    expect(refused.lastHealthError).toBe('Could not connect to MySQL at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1')
  })
})
