import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { createDataSource } from '../../../test/data-sources.ts'
import { addMember, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/**
 * Saved queries against real servers on loopback: a scratch database on the test PostgreSQL
 * (with a login that may read and write it, so only the read-only transaction stops writes)
 * and the machine's MariaDB (root).
 */

let ctx: TestContext
let org: OrgFixture
let viewer: Session
let member: Session
const suffix = randomBytes(4).toString('hex')
const PG_ROLE = `sq_user_${suffix}`
const PG_PASSWORD = `pw-${randomBytes(8).toString('hex')}`
const MY_DATABASE = `tessera_sq_${suffix}`
let pgDatabase: string
let pgPort: number
let pgSourceId: string
let mySourceId: string
let maria: mysql.Connection
let scratch: pg.Client

const url = (rest = '') => `/api/v1/orgs/${org.id}/queries${rest}`

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  viewer = await addMember(ctx.app, org, 'viewer')
  member = await addMember(ctx.app, org, 'member')

  pgDatabase = `${ctx.testDb.name}_sq`
  const adminUrl = new URL(ctx.testDb.adminUrl)
  pgPort = Number(adminUrl.port || 5432)
  await ctx.admin.query(`create database ${pgDatabase}`)
  await ctx.admin.query(`create role ${PG_ROLE} login password '${PG_PASSWORD}'`)
  adminUrl.pathname = `/${pgDatabase}`
  scratch = new pg.Client({ connectionString: adminUrl.toString() })
  await scratch.connect()
  await scratch.query(`create table orders (id integer primary key, customer text not null, total numeric(10, 2), placed_at date not null)`)
  await scratch.query(`insert into orders select i, 'customer ' || i, i * 1.5, date '2024-01-01' + i from generate_series(1, 50) i`)
  await scratch.query(`create sequence counter`)
  // Full rights on purpose: the read-only transaction, not the grants, must stop writes.
  await scratch.query(`grant all on all tables in schema public to ${PG_ROLE}`)
  await scratch.query(`grant all on sequence counter to ${PG_ROLE}`)
  await scratch.query(`grant create on schema public to ${PG_ROLE}`)

  maria = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' })
  await maria.query(`create database ${MY_DATABASE}`)
  await maria.query(`create table ${MY_DATABASE}.events (id int primary key, kind varchar(20) not null, amount decimal(10,2), happened_at datetime not null)`)
  const values = Array.from({ length: 40 }, (_, i) => `(${i + 1}, '${i % 2 ? 'click' : 'view'}', ${i}.25, '2024-02-01 00:00:00' + interval ${i} hour)`)
  await maria.query(`insert into ${MY_DATABASE}.events values ${values.join(',')}`)

  pgSourceId = (
    await createDataSource(ctx.app, org, {
      name: 'Scratch PG',
      type: 'postgresql',
      config: { host: '127.0.0.1', port: pgPort, database: pgDatabase, user: PG_ROLE, password: PG_PASSWORD, sslMode: 'prefer' },
    })
  ).id
  mySourceId = (
    await createDataSource(ctx.app, org, {
      name: 'Scratch MariaDB',
      type: 'mysql',
      config: { host: '127.0.0.1', port: 3306, database: MY_DATABASE, user: 'root', password: '', sslMode: 'prefer' },
    })
  ).id
})

afterAll(async () => {
  await scratch?.end()
  await maria?.query(`drop database if exists ${MY_DATABASE}`)
  await maria?.end()
  await ctx.admin.query(`drop database if exists ${pgDatabase} with (force)`).catch(() => undefined)
  await ctx.admin.query(`drop role if exists ${PG_ROLE}`).catch(() => undefined)
  await ctx.close()
})

async function save(body: Record<string, unknown>, headers = org.owner.headers): Promise<{ id: string; [key: string]: unknown }> {
  const response = await ctx.app.inject({ method: 'POST', url: url(), headers, payload: { name: `q ${randomBytes(3).toString('hex')}`, ...body } })
  expect(response.statusCode, response.body).toBe(201)
  return response.json()
}

const run = (id: string, params: Record<string, unknown> = {}, headers = org.owner.headers) =>
  ctx.app.inject({ method: 'POST', url: url(`/${id}/run`), headers, payload: { params } })

interface Result {
  columns: Array<{ name: string; type: string }>
  rows: Array<Record<string, unknown>>
  rowCount: number
  truncated: boolean
  cached: boolean
  asOf: string
  durationMs: number
}

describe('saved queries on PostgreSQL', () => {
  it('binds text, number, date and list parameters', async () => {
    const query = await save({
      dataSourceId: pgSourceId,
      queryText: 'select id, customer, total, placed_at from orders where id in ({{ids}}) and total >= {{min}} and placed_at >= {{since}} and customer <> {{exclude}} order by id',
      parameters: [
        { name: 'ids', type: 'list', required: true },
        { name: 'min', type: 'number', default: 0 },
        { name: 'since', type: 'date', default: '2024-01-01' },
        { name: 'exclude', type: 'text', default: 'nobody' },
      ],
      cacheDuration: 0,
    })
    const response = await run(query.id, { ids: [3, 4, 5, 6], min: '6', since: '2024-01-05', exclude: 'customer 6' })
    expect(response.statusCode, response.body).toBe(200)
    const result = response.json() as Result
    expect(result.rows.map((row) => row.id)).toEqual([4, 5])
    expect(result.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'customer', type: 'text' },
      { name: 'total', type: 'numeric' },
      { name: 'placed_at', type: 'date' },
    ])
    expect(result).toMatchObject({ rowCount: 2, truncated: false, cached: false })
  })

  it('keeps an injection attempt a value', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select count(*)::int as n from orders where customer = {{name}}', parameters: [{ name: 'name', type: 'text', required: true }], cacheDuration: 0 })
    const response = await run(query.id, { name: "x' or '1'='1" })
    expect(response.statusCode, response.body).toBe(200)
    expect((response.json() as Result).rows).toEqual([{ n: 0 }])
    const drop = await run(query.id, { name: "'; drop table orders; --" })
    expect(drop.statusCode).toBe(200)
    expect((await scratch.query('select count(*)::int as n from orders')).rows[0].n).toBe(50)
  })

  it('refuses unknown, missing and wrongly typed parameters with invalid_query_parameter', async () => {
    const query = await save({
      dataSourceId: pgSourceId,
      queryText: 'select * from orders where id = {{id}} and placed_at > {{since}} and id in ({{ids}})',
      parameters: [
        { name: 'id', type: 'number', required: true },
        { name: 'since', type: 'date', default: '2024-01-01' },
        { name: 'ids', type: 'list', default: [1] },
      ],
    })
    for (const params of [{ id: 1, other: 2 }, {}, { id: 'one' }, { id: 1, since: 'yesterday' }, { id: 1, ids: [] }, { id: [1, 2] }]) {
      const response = await run(query.id, params)
      expect(response.statusCode, JSON.stringify(params)).toBe(400)
      expect(response.json().error.code).toBe('invalid_query_parameter')
    }
    const undefinedParam = await ctx.app.inject({ method: 'POST', url: url(), headers: org.owner.headers, payload: { name: 'bad', dataSourceId: pgSourceId, queryText: 'select {{nope}}' } })
    expect(undefinedParam.statusCode).toBe(400)
    expect(undefinedParam.json().error.code).toBe('invalid_query_parameter')
  })

  it('runs read-only: writes and DDL fail with a clear 400 and change nothing', async () => {
    const insert = await ctx.app.inject({ method: 'POST', url: url(), headers: org.owner.headers, payload: { name: 'write', dataSourceId: pgSourceId, queryText: "insert into orders values (999, 'x', 1, now())" } })
    expect(insert.statusCode).toBe(400)
    expect(insert.json().error.code).toBe('query_not_read_only')
    for (const queryText of ['update orders set total = 0', 'drop table orders', '/* hidden */ create table sneaky (id int)']) {
      const preview = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: pgSourceId, queryText } })
      expect(preview.statusCode, queryText).toBe(400)
      expect(preview.json().error.code).toBe('query_not_read_only')
    }
    // Past the statement check, the read-only transaction refuses the write.
    const nextval = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: pgSourceId, queryText: "select nextval('counter')" } })
    expect(nextval.statusCode, nextval.body).toBe(400)
    expect(nextval.json().error.code).toBe('query_not_read_only')
    const cte = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: pgSourceId, queryText: "with w as (delete from orders returning id) select count(*) from w" } })
    expect(cte.statusCode, cte.body).toBe(400)
    expect((await scratch.query('select count(*)::int as n from orders')).rows[0].n).toBe(50)
    expect((await scratch.query("select count(*)::int as n from pg_class where relname = 'sneaky'")).rows[0].n).toBe(0)
    expect((await scratch.query('select last_value::int as v, is_called from counter')).rows[0]).toEqual({ v: 1, is_called: false })
  })

  it('cancels a query past its timeout with query_timeout', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select pg_sleep(5)', timeoutMs: 300, cacheDuration: 0 })
    const started = Date.now()
    const response = await run(query.id)
    expect(response.statusCode, response.body).toBe(400)
    expect(response.json().error.code).toBe('query_timeout')
    expect(Date.now() - started).toBeLessThan(4000)
  })

  it('reports the source error as query_failed, not a 500', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: pgSourceId, queryText: 'select no_such_column from orders' } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({ code: 'query_failed' })
    expect(response.json().error.message).toContain('no_such_column')
  })

  it('applies the row limit and reports truncation', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select id from orders order by id', rowLimit: 10, cacheDuration: 0 })
    const result = (await run(query.id)).json() as Result
    expect(result).toMatchObject({ rowCount: 10, truncated: true })
    expect(result.rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const exact = await save({ dataSourceId: pgSourceId, queryText: 'select id from orders where id <= 10', rowLimit: 10, cacheDuration: 0 })
    expect((await run(exact.id)).json()).toMatchObject({ rowCount: 10, truncated: false })
  })

  it('serves a second run from the cache and logs every execution', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select count(*)::int as n from orders where id <= {{max}}', parameters: [{ name: 'max', type: 'number', default: 20 }], cacheDuration: 60 })
    const first = (await run(query.id)).json() as Result
    expect(first).toMatchObject({ cached: false, rows: [{ n: 20 }] })
    await scratch.query(`insert into orders values (1000, 'late', 1, '2024-06-01')`)
    await scratch.query(`delete from orders where id = 1000`)
    const second = (await run(query.id)).json() as Result
    expect(second).toMatchObject({ cached: true, rows: [{ n: 20 }], asOf: first.asOf })
    // Other parameter values are another cache entry.
    expect(((await run(query.id, { max: 5 })).json() as Result).cached).toBe(false)
    const logs = await ctx.admin.query('select cache_hit, rows_returned, execution_time_ms, query_kind from telemetry.query_performance_logs where query_id = $1 order by executed_at', [query.id])
    expect(logs.rows.map((row) => [row.cache_hit, row.rows_returned, row.query_kind])).toEqual([
      [false, 1, 'saved_query'],
      [true, 1, 'saved_query'],
      [false, 1, 'saved_query'],
    ])
    const saved = (await ctx.app.inject({ method: 'GET', url: url(`/${query.id}`), headers: org.owner.headers })).json()
    expect(saved.resultColumns).toEqual([{ name: 'n', type: 'integer' }])
    expect(saved.lastRunAt).not.toBeNull()
    // An edit drops the cache.
    expect((await ctx.app.inject({ method: 'PATCH', url: url(`/${query.id}`), headers: org.owner.headers, payload: { description: 'edited' } })).statusCode).toBe(200)
    expect(((await run(query.id)).json() as Result).cached).toBe(false)
  })

  it("refuses a source pointing at Tessera's own database", async () => {
    const own = new URL(ctx.services.ownerUrl)
    const source = await createDataSource(ctx.app, org, {
      name: 'Tessera itself',
      type: 'postgresql',
      config: { host: 'localhost', port: Number(own.port || 5432), database: own.pathname.slice(1), user: PG_ROLE, password: PG_PASSWORD, sslMode: 'disable' },
    })
    const create = await ctx.app.inject({ method: 'POST', url: url(), headers: org.owner.headers, payload: { name: 'self', dataSourceId: source.id, queryText: 'select * from auth.users' } })
    expect(create.statusCode).toBe(400)
    expect(create.json().error.code).toBe('source_not_allowed')
    const preview = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: source.id, queryText: 'select 1' } })
    expect(preview.statusCode).toBe(400)
    expect(preview.json().error.code).toBe('source_not_allowed')
  })
})

describe('saved queries on MariaDB', () => {
  it('binds parameters of every type, keeps injections values and applies the row limit', async () => {
    const query = await save({
      dataSourceId: mySourceId,
      queryText: 'select id, kind, amount, happened_at from events where id in ({{ids}}) and kind = {{kind}} and amount >= {{min}} and happened_at >= {{since}} order by id',
      parameters: [
        { name: 'ids', type: 'list', required: true },
        { name: 'kind', type: 'text', required: true },
        { name: 'min', type: 'number', default: 0 },
        { name: 'since', type: 'date', default: '2024-01-01' },
      ],
      cacheDuration: 0,
    })
    const response = await run(query.id, { ids: [1, 2, 3, 4, 5, 6], kind: 'click', min: 2, since: '2024-02-01T02:00:00Z' })
    expect(response.statusCode, response.body).toBe(200)
    const result = response.json() as Result
    expect(result.rows.map((row) => row.id)).toEqual([4, 6])
    expect(result.columns.map((column) => column.name)).toEqual(['id', 'kind', 'amount', 'happened_at'])
    const injected = await run(query.id, { ids: ['1) or (1=1'], kind: "click' or '1'='1" })
    expect(injected.statusCode, injected.body).toBe(200)
    expect((injected.json() as Result).rowCount).toBe(0)

    const limited = await save({ dataSourceId: mySourceId, queryText: 'select id from events order by id', rowLimit: 7, cacheDuration: 0 })
    const limitedResult = (await run(limited.id)).json() as Result
    expect(limitedResult).toMatchObject({ rowCount: 7, truncated: true })
    expect(limitedResult.rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('runs read-only and times out', async () => {
    const del = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: mySourceId, queryText: 'delete from events' } })
    expect(del.statusCode).toBe(400)
    expect(del.json().error.code).toBe('query_not_read_only')
    const ddl = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: mySourceId, queryText: 'create table sneaky (id int)' } })
    expect(ddl.statusCode).toBe(400)
    const [rows] = await maria.query(`select count(*) as n from ${MY_DATABASE}.events`)
    expect(Number((rows as Array<{ n: number }>)[0]?.n)).toBe(40)
    const [tables] = await maria.query(`select count(*) as n from information_schema.tables where table_schema = ? and table_name = 'sneaky'`, [MY_DATABASE])
    expect(Number((tables as Array<{ n: number }>)[0]?.n)).toBe(0)

    const slow = await save({ dataSourceId: mySourceId, queryText: 'select sleep(5) as s', timeoutMs: 300, cacheDuration: 0 })
    const started = Date.now()
    const response = await run(slow.id)
    expect(response.statusCode, response.body).toBe(400)
    expect(response.json().error.code).toBe('query_timeout')
    expect(Date.now() - started).toBeLessThan(4000)

    const broken = await ctx.app.inject({ method: 'POST', url: url('/preview'), headers: org.owner.headers, payload: { dataSourceId: mySourceId, queryText: 'select nope from events' } })
    expect(broken.statusCode).toBe(400)
    expect(broken.json().error.code).toBe('query_failed')
  })
})

describe('saved query roles', () => {
  it('lets viewers read and run but not create, edit, delete or preview', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select 1 as one' }, member.headers)
    expect((await ctx.app.inject({ method: 'GET', url: url(), headers: viewer.headers })).json().queries.some((q: { id: string }) => q.id === query.id)).toBe(true)
    const ran = await run(query.id, {}, viewer.headers)
    expect(ran.statusCode, ran.body).toBe(200)
    expect((ran.json() as Result).rows).toEqual([{ one: 1 }])
    const attempts = [
      ctx.app.inject({ method: 'POST', url: url(), headers: viewer.headers, payload: { name: 'v', dataSourceId: pgSourceId, queryText: 'select 1' } }),
      ctx.app.inject({ method: 'PATCH', url: url(`/${query.id}`), headers: viewer.headers, payload: { name: 'renamed' } }),
      ctx.app.inject({ method: 'DELETE', url: url(`/${query.id}`), headers: viewer.headers }),
      ctx.app.inject({ method: 'POST', url: url('/preview'), headers: viewer.headers, payload: { dataSourceId: pgSourceId, queryText: 'select 1' } }),
    ]
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(403)
    }
    const after = (await ctx.app.inject({ method: 'GET', url: url(`/${query.id}`), headers: member.headers })).json()
    expect(after.name).toBe(query.name)
    expect((await ctx.app.inject({ method: 'PATCH', url: url(`/${query.id}`), headers: member.headers, payload: { name: 'renamed by member' } })).json().name).toBe('renamed by member')
    expect((await ctx.app.inject({ method: 'DELETE', url: url(`/${query.id}`), headers: member.headers })).statusCode).toBe(204)
  })

  it('hides another organization’s queries', async () => {
    const query = await save({ dataSourceId: pgSourceId, queryText: 'select 1 as one' })
    const other = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${other.id}/queries/${query.id}/run`, headers: other.owner.headers, payload: {} })
    expect(response.statusCode).toBe(404)
  })
})
