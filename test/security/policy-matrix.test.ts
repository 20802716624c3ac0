import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../database.ts'
import { DENIED, NEW, type Outcome, type Statement, type TableSpec } from './policy-matrix.dsl.ts'
import { ACTORS, createFixture, type Actor, type ActorName, type Fixture } from './policy-matrix.fixture.ts'
import { DASHBOARD_TABLES } from './policy-matrix.dashboards.ts'
import { DASHBOARD_VERSION_TABLES } from './policy-matrix.dashboard-versions.ts'
import { INGEST_TABLES } from './policy-matrix.ingest.ts'
import { SAVED_QUERY_TABLES } from './policy-matrix.saved-queries.ts'
import { TIME_SERIES_TABLES } from './policy-matrix.time-series.ts'
import { INSTANCE_TABLES } from './policy-matrix.instance.ts'
import { TENANCY_TABLES } from './policy-matrix.tenancy.ts'
import { REQUEST_LOG_TABLES } from './policy-matrix.request-logs.ts'

/**
 * Row-Level Security, table × statement × actor, against real PostgreSQL as tessera_app.
 * The expectations live in policy-matrix.tenancy.ts (organization-scoped tables) and
 * policy-matrix.instance.ts (user-scoped and instance-wide ones) and policy-matrix.ingest.ts
 * (data sources, pipelines, pushed data, workflows); adding a table is one
 * entry there, and the coverage test below fails until it exists.
 */

const TABLES: TableSpec[] = [...TENANCY_TABLES, ...INSTANCE_TABLES, ...INGEST_TABLES, ...TIME_SERIES_TABLES, ...DASHBOARD_TABLES, ...SAVED_QUERY_TABLES, ...DASHBOARD_VERSION_TABLES, ...REQUEST_LOG_TABLES]

let admin: pg.Client
let runtime: pg.Client
/** A runtime connection that never sets any request context: the `none` actor. */
let bare: pg.Client
let fixture: Fixture

beforeAll(async () => {
  const testDb = await createTestDatabase()
  admin = new pg.Client({ connectionString: testDb.adminUrl })
  runtime = new pg.Client({ connectionString: testDb.runtimeUrl })
  bare = new pg.Client({ connectionString: testDb.runtimeUrl })
  await Promise.all([admin.connect(), runtime.connect(), bare.connect()])
  fixture = await createFixture(admin, runtime)
})

afterAll(async () => {
  await Promise.all([admin?.end(), runtime?.end(), bare?.end()])
})

function actor(name: ActorName): Actor {
  return { name, userId: name === 'orgOnly' || name === 'none' ? null : fixture.user[name] }
}

/** Sorted labels, a label shared by n rows written `label×n`. */
function summarize(labels: string[]): string[] {
  const counts = new Map<string, number>()
  for (const label of labels) {
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  return [...counts].map(([label, n]) => (n === 1 ? label : `${label}×${n}`)).sort()
}

function expected(table: string, outcome: Outcome): string[] | string {
  if (typeof outcome === 'string') {
    return outcome
  }
  return summarize(
    outcome.flatMap((label) => {
      if (label === NEW) {
        return [NEW]
      }
      const n = fixture.count(table, label)
      if (n === 0) {
        throw new Error(`the ${table} cases name a label the fixture does not have: ${label}`)
      }
      return Array<string>(n).fill(label)
    }),
  )
}

/** Runs one statement as one actor in a transaction that is always rolled back. */
async function observe(spec: TableSpec, statement: Statement, name: ActorName): Promise<string[] | string> {
  const client = name === 'none' ? bare : runtime
  const query = statement.sql(fixture, actor(name))
  // Rows a statement inserts into the table under test are NEW (the insert may sit after a WITH).
  const inserting = new RegExp(`\\binsert\\s+into\\s+${spec.table.replace('.', '\\.')}\\b`, 'i').test(query.text)
  await client.query('begin')
  try {
    if (name !== 'none') {
      await client.query("select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)", [actor(name).userId ?? '', fixture.orgA])
    }
    const result = await client.query<{ id: string }>(query.text, query.values)
    if (statement.returning === false) {
      return summarize(Array<string>(result.rowCount ?? 0).fill(NEW))
    }
    return summarize(result.rows.map((row) => fixture.label(spec.table, row.id) ?? (inserting ? NEW : `unexpected row ${row.id}`)))
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    if (!code) {
      throw error
    }
    return code === DENIED ? code : `${code} ${message}`
  } finally {
    await client.query('rollback')
  }
}

for (const spec of TABLES) {
  describe(spec.table, () => {
    for (const statement of spec.statements) {
      it(statement.name, async () => {
        const observed: Record<string, string[] | string> = {}
        const wanted: Record<string, string[] | string> = {}
        for (const name of ACTORS) {
          observed[name] = await observe(spec, statement, name)
          wanted[name] = expected(spec.table, statement.expect[name])
        }
        expect(observed).toEqual(wanted)
      })
    }
  })
}

describe('the matrix itself', () => {
  it('has an entry for every table and view of auth, app, audit, ingest, ts and telemetry', async () => {
    const { rows } = await admin.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('auth', 'app', 'audit', 'ingest', 'ts', 'telemetry') and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
        order by 1`)
    expect(TABLES.map((spec) => spec.table).sort()).toEqual(rows.map((row) => row.name))
  })

  it('has rows of both organizations in every table that carries organization_id', async () => {
    const { rows: tables } = await admin.query<{ name: string }>(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid
        where n.nspname in ('auth', 'app', 'audit', 'ingest', 'ts', 'telemetry') and c.relkind in ('r', 'p') and not c.relispartition
          and a.attname = 'organization_id' and not a.attisdropped`)
    expect(tables.length).toBeGreaterThan(0)
    for (const { name } of tables) {
      const { rows } = await admin.query<{ a: number; b: number }>(
        `select count(*) filter (where organization_id = $1)::int as a, count(*) filter (where organization_id = $2)::int as b from ${name}`,
        [fixture.orgA, fixture.orgB])
      expect({ name, a: rows[0]!.a > 0, b: rows[0]!.b > 0 }).toEqual({ name, a: true, b: true })
    }
  })
})

describe('flows that create identities and organizations', () => {
  async function inTransaction<T>(context: { userId: string } | null, fn: (client: pg.Client) => Promise<T>): Promise<T | string> {
    const client = context ? runtime : bare
    await client.query('begin')
    try {
      if (context) {
        await client.query("select set_config('app.user_id', $1, true), set_config('app.org_id', '', true)", [context.userId])
      }
      return await fn(client)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (!code) {
        throw error
      }
      return code
    } finally {
      await client.query('rollback')
    }
  }
  const register = (client: pg.Client, id: string) =>
    client.query<{ id: string }>("insert into auth.users (id, email, password_hash, display_name) values ($1, $2, 'x', 'New') returning id::text", [id, `new-${randomUUID()}@matrix.test`])

  it('lets a registration insert exactly the identity its app.user_id names', async () => {
    const id = randomUUID()
    expect(await inTransaction({ userId: id }, async (client) => (await register(client, id)).rows)).toEqual([{ id }])
    expect(await inTransaction({ userId: randomUUID() }, async (client) => (await register(client, id)).rows)).toBe(DENIED)
    expect(await inTransaction(null, async (client) => (await register(client, id)).rows)).toBe(DENIED)
  })

  it('makes the caller of private.create_organization its owner, and refuses a caller without a user', async () => {
    const create = (client: pg.Client) => client.query<{ id: string }>("select private.create_organization('Fresh', $1, null)::text as id", [`fresh-${randomUUID().slice(0, 8)}`])
    const role = await inTransaction({ userId: fixture.user.outsider }, async (client) => {
      const orgId = (await create(client)).rows[0]!.id
      const { rows } = await client.query<{ role: string; status: string }>('select role, status from app.organization_members where organization_id = $1', [orgId])
      return rows
    })
    expect(role).toEqual([{ role: 'owner', status: 'active' }])
    expect(await inTransaction(null, async (client) => (await create(client)).rows)).toBe(DENIED)
  })
})
