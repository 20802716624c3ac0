import { randomBytes, randomUUID } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { runTask } from '../../../test/jobs.ts'
import { TEST_SECRET_KEY } from '../../../test/secret.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withTenant } from '../../platform/db.ts'
import { bootstrapWithSuperuser, resolveConnections, withCredentials } from '../../platform/database-roles.ts'
import { MIGRATIONS_DIR, migrate } from '../../platform/migrate.ts'
import { logQuery } from '../timeseries/series.cache.ts'

/** Log tables by month: the telemetry logs are partitioned, kept ahead by the worker, and written as before. */

const LOG_TABLES = {
  'telemetry.tool_usage_logs': '"timestamp"',
  'telemetry.error_logs': '"timestamp"',
  'telemetry.performance_metrics': '"timestamp"',
  'telemetry.query_performance_logs': 'executed_at',
}

let ctx: TestContext
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
})

afterAll(async () => {
  await ctx?.close()
})

/** "YYYY_MM" of the UTC month `offset` months from now. */
function month(offset: number): string {
  const now = new Date()
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
  return `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

async function asOwner<T>(ownerUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

describe('telemetry log tables', () => {
  it('are range-partitioned by month on their time column, with Row-Level Security forced on every partition', async () => {
    for (const [table, column] of Object.entries(LOG_TABLES)) {
      const { rows: [key] } = await ctx.admin.query<{ key: string }>('select pg_get_partkeydef($1::regclass) as key', [table])
      expect(key?.key).toBe(`RANGE (${column})`)
      const { rows } = await ctx.admin.query<{ name: string; forced: boolean }>(
        `select c.oid::regclass::text as name, c.relforcerowsecurity as forced
           from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = $1::regclass`, [table])
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining([`${table}_${month(0)}`, `${table}_${month(3)}`]))
      expect(rows.filter((r) => !r.forced)).toEqual([])
    }
  })

  it('get their missing months back from partitions:maintain, three months ahead', async () => {
    await asOwner(ctx.testDb.ownerUrl, async (owner) => {
      for (const table of Object.keys(LOG_TABLES)) {
        await owner.query(`drop table ${table}_${month(3)}`)
        await owner.query('delete from ops.partitions where partition_table = $1', [`${table}_${month(3)}`])
      }
    })

    await runTask(ctx, 'partitions:maintain')

    const { rows } = await ctx.admin.query<{ partition_table: string }>(
      "select partition_table from ops.partitions where partition_table = any($1) and state = 'attached' and to_regclass(partition_table) is not null",
      [Object.keys(LOG_TABLES).map((table) => `${table}_${month(3)}`)])
    expect(rows.map((r) => r.partition_table).sort()).toEqual(Object.keys(LOG_TABLES).map((table) => `${table}_${month(3)}`).sort())
  })

  it("are in seed 003's ops.maintain_partitions, which lists the same tables as the worker", async () => {
    const { PARTITIONED_TABLES } = await import('../jobs/jobs.tasks.ts')
    const { rows: [fn] } = await ctx.admin.query<{ body: string }>("select pg_get_functiondef('ops.maintain_partitions()'::regprocedure) as body")
    const listed = [...fn!.body.matchAll(/ensure_partitions\('([a-z_.]+)'/g)].map((m) => m[1])
    expect(listed.sort()).toEqual(PARTITIONED_TABLES.map((t) => t.table).sort())
    expect(listed).toEqual(expect.arrayContaining(Object.keys(LOG_TABLES)))
  })

  it("work with seed 002's create_monthly_partitions", async () => {
    const created = await asOwner(ctx.testDb.ownerUrl, (owner) => owner.query<{ n: number }>("select ops.create_monthly_partitions('telemetry.error_logs', 5) as n"))
    expect(created.rows[0]?.n).toBe(2)
    const { rows } = await ctx.admin.query("select 1 from ops.partitions where partition_table = $1 and granularity = 'month'", [`telemetry.error_logs_${month(5)}`])
    expect(rows).toHaveLength(1)
  })

  it("keep taking the series engine's query log, in the current month's partition", async () => {
    const metricId = randomUUID()
    await withTenant(ctx.database.db, { userId: org.owner.userId, orgId: org.id }, (trx) =>
      logQuery(trx, { orgId: org.id, kind: 'metric_series', metricId, executionMs: 3.4, rows: 12, cacheHit: false, source: 'raw' }))
    const { rows } = await ctx.admin.query(
      'select tableoid::regclass::text as partition, execution_time_ms, rows_returned, cache_hit from telemetry.query_performance_logs where metric_id = $1', [metricId])
    expect(rows).toEqual([{ partition: `telemetry.query_performance_logs_${month(0)}`, execution_time_ms: 3, rows_returned: 12, cache_hit: false }])
  })
})

describe('migration 0182', () => {
  const server = inject('adminUrl')
  const database = `t_${inject('testRunId')}_qpl_${randomBytes(4).toString('hex')}`
  const adminUrl = withCredentials(server, decodeURIComponent(new URL(server).username), decodeURIComponent(new URL(server).password), database)
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-migrations-'))

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    const admin = new pg.Client({ connectionString: withCredentials(adminUrl, decodeURIComponent(new URL(adminUrl).username), decodeURIComponent(new URL(adminUrl).password), 'postgres') })
    await admin.connect()
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined)
    await admin.end()
  })

  it('moves every row of the plain table into monthly partitions and keeps its policy and grants', async () => {
    for (const file of readdirSync(MIGRATIONS_DIR).filter((name) => name < '0182')) {
      cpSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file))
    }
    await bootstrapWithSuperuser(server, database, TEST_SECRET_KEY)
    const { ownerUrl } = await resolveConnections(adminUrl, undefined, TEST_SECRET_KEY)
    await migrate(ownerUrl, { dir })
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    try {
      const policyOf = async () => (await admin.query(
        `select policyname, cmd, qual, with_check from pg_policies where schemaname = 'telemetry' and tablename = 'query_performance_logs'`)).rows
      const grantsOf = async () => (await admin.query(
        `select grantee, privilege_type, null as column_name from information_schema.role_table_grants
          where table_schema = 'telemetry' and table_name = 'query_performance_logs' and grantee <> 'tessera_owner'
         union all
         select grantee, privilege_type, column_name from information_schema.column_privileges
          where table_schema = 'telemetry' and table_name = 'query_performance_logs' and grantee <> 'tessera_owner'
          order by 1, 2, 3`)).rows
      const [policyBefore, grantsBefore] = [await policyOf(), await grantsOf()]
      // The runtime role's table grants (0120) and tessera_definer's column grants (0170) are both there to keep.
      expect(grantsBefore.map((g) => g.grantee)).toEqual(expect.arrayContaining(['tessera_runtime', 'tessera_definer']))
      const { rows: [orgRow] } = await admin.query<{ id: string }>("insert into app.organizations (name, slug) values ('Logs', $1) returning id", [`logs-${randomBytes(3).toString('hex')}`])
      const old = new Date(Date.now() - 150 * 86_400_000)
      await admin.query(
        `insert into telemetry.query_performance_logs (organization_id, query_kind, execution_time_ms, executed_at)
         select $1, 'metric_series', n, $2::timestamptz + make_interval(days => n) from generate_series(0, 149) n`, [orgRow!.id, old])
      const before = (await admin.query('select id, executed_at from telemetry.query_performance_logs order by id')).rows

      await migrate(ownerUrl)

      const after = (await admin.query('select id, executed_at from telemetry.query_performance_logs order by id')).rows
      expect(after).toEqual(before)
      const { rows: [relkind] } = await admin.query("select relkind from pg_class where oid = 'telemetry.query_performance_logs'::regclass")
      expect(relkind?.relkind).toBe('p')
      // Every row sits in the partition of its own month.
      const { rows: misplaced } = await admin.query(
        `select tableoid::regclass::text as partition, executed_at from telemetry.query_performance_logs
          where tableoid::regclass::text <> 'telemetry.query_performance_logs_' || to_char(executed_at at time zone 'UTC', 'YYYY_MM')`)
      expect(misplaced).toEqual([])
      expect(await policyOf()).toEqual(policyBefore)
      expect(await grantsOf()).toEqual(grantsBefore)
      expect((await admin.query("select to_regclass('telemetry.query_performance_logs_unpartitioned') as t")).rows[0].t).toBeNull()
    } finally {
      await admin.end()
    }
  })
})
