import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildApp, type App } from '../../app.ts'
import { OWNER_ROLE, bootstrapWithSuperuser, derivedRolePassword, withCredentials } from '../../platform/database-roles.ts'
import { startRuntime, type Runtime } from '../../platform/runtime.ts'
import { createTestApp, login, registerUser, testConfig, type Session } from '../../../test/app.ts'
import { runTessera } from '../../../test/cli/run.ts'
import { TEST_SECRET_KEY } from '../../../test/secret.ts'
import { createOrg } from '../../../test/tenancy.ts'
import { openBackup } from './backup.restore.ts'

/**
 * Issue 6's acceptance: data made through the API (the demo organization: metrics with points,
 * dashboards with widgets, pipeline records, plus a second organization), `tessera backup`,
 * `tessera restore` into a fresh database, the same rows in every table, the same schema, and
 * Tessera started on the restored database serving the same dashboards and data. Runs on the
 * suite's server (embedded PostgreSQL 17) and again on PostgreSQL 15 (scripts/test-extra-servers.mjs).
 */

const TIMEOUT_MS = 180_000

let owner: Session
let orgId: string
let home: string
let work: string
let archive: string
/** The source's rows and what its owner saw, taken once nothing writes to it any more. */
let sourceContents: Record<string, string>
let sourceView: unknown
let sourceAdminUrl: string
let ownerUrl: string

/** The CLI against `databaseUrl`, or (undefined) the embedded PostgreSQL of `tesseraHome`. */
const cli = (args: string[], databaseUrl: string | undefined, env: Record<string, string | undefined> = {}, tesseraHome = home) =>
  runTessera(args, { databaseUrl: databaseUrl ?? '', home: tesseraHome, env: { ...(databaseUrl === undefined && { DATABASE_URL: undefined }), ...env }, timeoutMs: TIMEOUT_MS })

/** A superuser URL for a database of this run that does not exist yet (dropped with the run's databases). */
function freshDatabaseUrl(): { name: string; adminUrl: string } {
  const name = `t_${inject('testRunId')}_restore_${randomBytes(4).toString('hex')}`
  const base = new URL(inject('adminUrl'))
  return { name, adminUrl: withCredentials(inject('adminUrl'), decodeURIComponent(base.username), decodeURIComponent(base.password), name) }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Every table's row count and an order-independent hash of its rows, computed by PostgreSQL itself. */
async function tableContents(url: string, tables: string[]): Promise<Record<string, string>> {
  return withClient(url, async (client) => {
    await client.query(`set timezone = 'UTC'`)
    const result: Record<string, string> = {}
    for (const table of tables) {
      const { rows } = await client.query<{ n: string; h: string | null }>(`select count(*)::text as n, md5(string_agg(md5(t::text), '' order by md5(t::text))) as h from ${table} t`)
      result[table] = `${rows[0]!.n} ${rows[0]!.h ?? '-'}`
    }
    return result
  })
}

/** Tables, owners, RLS flags, grants, indexes, triggers, policies and sequence positions. */
async function schemaShape(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ line: string }>(
      `select concat_ws(' ', c.oid::regclass::text, c.relkind::text, c.relowner::regrole::text, c.relrowsecurity::text, c.relforcerowsecurity::text, c.relacl::text, c.relispopulated::text) as line
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'graphile_worker') and n.nspname not like 'pg\\_%'
       union all select concat_ws(' ', 'trigger', t.tgrelid::regclass::text, t.tgname, t.tgenabled::text) from pg_trigger t where not t.tgisinternal
       union all select concat_ws(' ', 'policy', p.polrelid::regclass::text, p.polname) from pg_policy p
       union all select concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid)) from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not like 'pg\\_%' and n.nspname not in ('information_schema', 'graphile_worker')
       union all select concat_ws(' ', 'sequence', s.schemaname || '.' || s.sequencename, s.last_value::text) from pg_sequences s where s.schemaname <> 'graphile_worker'
       order by 1`,
    )
    return rows.map((row) => row.line)
  })
}

// One fixed range for both reads, so the widget data of the source and of the restore compare.
const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000).toISOString()
const from = new Date(Date.parse(to) - 3 * 86_400_000).toISOString()

/** What a member sees: the organization's dashboards, their widgets and their data over a fixed range. */
async function whatTheOwnerSees(app: App, session: Session): Promise<unknown> {
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, headers: session.headers })
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200)
    return response.json() as Record<string, unknown>
  }
  const list = (await get(`/api/v1/orgs/${orgId}/dashboards`)).dashboards as Array<{ id: string; name: string }>
  const dashboards = []
  for (const dashboard of list) {
    const widgets = (await get(`/api/v1/orgs/${orgId}/dashboards/${dashboard.id}/widgets`)).widgets
    const data = (await get(`/api/v1/orgs/${orgId}/dashboards/${dashboard.id}/data?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).widgets as Array<Record<string, unknown>>
    dashboards.push({ id: dashboard.id, name: dashboard.name, widgets, data: data.map((w) => ({ id: w.id, status: w.status, series: w.series, error: w.error })) })
  }
  // When the data was computed and whether it came from the cache differ from one read to the next.
  return JSON.parse(JSON.stringify({ orgs: (await get('/api/v1/orgs')).organizations, dashboards }, (key, value: unknown) => (key === 'asOf' || key === 'cache' ? undefined : value)))
}

/** Tessera started on the restored database as `tessera serve` starts it (no pending migration, a safe runtime role). */
async function startOn(adminUrl: string): Promise<{ app: App; runtime: Runtime }> {
  const runtime = await startRuntime(testConfig({ DATABASE_URL: adminUrl, TESSERA_HOME: home }), { migrate: false, log: () => undefined, poolSize: 4 })
  const app = await buildApp(runtime.services)
  await app.ready()
  return { app, runtime }
}

beforeAll(async () => {
  const ctx = await createTestApp()
  owner = await registerUser(ctx.app)
  const demo = await ctx.app.inject({ method: 'POST', url: '/api/v1/demo', headers: owner.headers, payload: { days: 2 } })
  expect(demo.statusCode, demo.body).toBe(201)
  orgId = (demo.json() as { organizationId: string }).organizationId
  await createOrg(ctx.app, await registerUser(ctx.app), { name: 'Second tenant' })
  sourceView = await whatTheOwnerSees(ctx.app, owner)
  sourceAdminUrl = ctx.testDb.adminUrl
  ownerUrl = ctx.testDb.ownerUrl
  // Closing the app flushes the request logs still pending: the source stands still from here.
  await ctx.close()
  home = mkdtempSync(path.join(tmpdir(), 'tessera-backup-home-'))
  work = mkdtempSync(path.join(tmpdir(), 'tessera-backup-'))
  archive = path.join(work, 'tessera.tar')
  const backup = await cli(['backup', '--out', archive], sourceAdminUrl)
  expect(backup.code, backup.stderr).toBe(0)
  expect(backup.stdout).toContain(`wrote ${archive}`)
  const opened = await openBackup(archive)
  rmSync(opened.dir, { recursive: true, force: true })
  sourceContents = await tableContents(sourceAdminUrl, opened.manifest.tables.map((t) => t.name))
}, TIMEOUT_MS)
afterAll(async () => {
  rmSync(home, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
})

describe('tessera backup', () => {
  it('writes one archive whose manifest has the version, the migration level, per-table counts and a SHA-256 per part', async () => {
    const opened = await openBackup(archive)
    try {
      const { manifest } = opened
      expect(manifest).toMatchObject({ format: 'tessera-backup', formatVersion: 1, tesseraVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) })
      const level = await withClient(sourceAdminUrl, (client) => client.query<{ version: string }>('select max(version) as version from ops.schema_migrations'))
      expect(manifest.migrationLevel).toBe(level.rows[0]!.version.trim())
      // Partitioned tables are backed up through their partitions.
      const counted = await withClient(sourceAdminUrl, async (client) => {
        const counts: Record<string, number> = {}
        for (const table of ['app.dashboards', 'app.widgets', 'app.organizations', 'auth.users', 'ts.time_series_data', 'ingest.pipeline_data', 'telemetry.request_logs']) {
          counts[table] = Number((await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n)
        }
        return counts
      })
      for (const [table, count] of Object.entries(counted)) {
        const inManifest = manifest.tables.filter((t) => t.name === table || t.name.startsWith(`${table}_`)).reduce((n, t) => n + t.rows, 0)
        expect(inManifest, table).toBe(count)
      }
      expect(counted['app.widgets']).toBeGreaterThan(4)
      expect(counted['ts.time_series_data']).toBeGreaterThan(1000)
      expect(counted['telemetry.request_logs']).toBeGreaterThan(0)
      expect(manifest.parts.length).toBeGreaterThan(1)
      for (const part of manifest.parts) expect(part.sha256).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      rmSync(opened.dir, { recursive: true, force: true })
    }
  })

  it('refuses the owner role, which Row-Level Security keeps from reading every row, and uses TESSERA_BACKUP_DATABASE_URL', async () => {
    const out = path.join(work, 'owner.tar')
    const refused = await cli(['backup', '--out', out], ownerUrl)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining('TESSERA_BACKUP_DATABASE_URL')])
    expect(existsSync(out)).toBe(false)
    const allowed = await cli(['backup', '--out', out, '--method', 'copy'], ownerUrl, { TESSERA_BACKUP_DATABASE_URL: sourceAdminUrl })
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stdout).toContain('method: copy')
  }, TIMEOUT_MS)
})

describe('tessera restore', () => {
  it('restores into a fresh database with the same rows and schema, and Tessera serves the same dashboards and data from it', async () => {
    const target = freshDatabaseUrl()
    const restored = await cli(['restore', archive], target.adminUrl)
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.stdout).toContain('row counts and checksums verified')

    expect(await tableContents(target.adminUrl, Object.keys(sourceContents))).toEqual(sourceContents)
    expect(await schemaShape(target.adminUrl)).toEqual(await schemaShape(sourceAdminUrl))

    const { app, runtime } = await startOn(target.adminUrl)
    try {
      const again = await login(app, owner.email)
      const after = await whatTheOwnerSees(app, again)
      expect((after as { dashboards: unknown[] }).dashboards.length).toBeGreaterThanOrEqual(4)
      expect(after).toEqual(sourceView)
    } finally {
      await app.close()
      await runtime.close()
    }
  }, TIMEOUT_MS)

  it('restores with an owner-role DATABASE_URL through TESSERA_BACKUP_DATABASE_URL, and says so without it', async () => {
    // A database a DBA prepared: roles, extensions, owned by the owner role (docs/database-roles.md).
    const target = freshDatabaseUrl()
    await bootstrapWithSuperuser(target.adminUrl, target.name, TEST_SECRET_KEY)
    const targetOwnerUrl = withCredentials(target.adminUrl, OWNER_ROLE, derivedRolePassword(TEST_SECRET_KEY, OWNER_ROLE), target.name)
    const refused = await cli(['restore', archive], targetOwnerUrl)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining('TESSERA_BACKUP_DATABASE_URL')])
    const restored = await cli(['restore', archive], targetOwnerUrl, { TESSERA_BACKUP_DATABASE_URL: target.adminUrl })
    expect(restored.code, restored.stderr).toBe(0)
    expect(await tableContents(target.adminUrl, Object.keys(sourceContents))).toEqual(sourceContents)
    const owners = await withClient(target.adminUrl, (client) =>
      client.query<{ owner: string }>(`select distinct c.relowner::regrole::text as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('app', 'ts', 'ingest', 'telemetry', 'audit', 'auth', 'ops') and c.relkind in ('r', 'p')`))
    expect(owners.rows).toEqual([{ owner: OWNER_ROLE }])
  }, 2 * TIMEOUT_MS)

  it('refuses a target that holds a Tessera database unless --force, and a damaged archive', async () => {
    const target = freshDatabaseUrl()
    expect((await cli(['restore', archive], target.adminUrl)).code).toBe(0)
    await withClient(target.adminUrl, (client) => client.query(`delete from app.dashboards`))
    const refused = await cli(['restore', archive], target.adminUrl)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('--force')
    const forced = await cli(['restore', archive, '--force'], target.adminUrl)
    expect(forced.code, forced.stderr).toBe(0)
    const dashboards = await tableContents(target.adminUrl, ['app.dashboards'])
    expect(dashboards['app.dashboards']).toBe(sourceContents['app.dashboards'])

    // One flipped byte inside catalog.json (the entry after manifest.json).
    const damaged = path.join(work, 'damaged.tar')
    copyFileSync(archive, damaged)
    const bytes = readFileSync(damaged)
    const header = bytes.indexOf(Buffer.from('catalog.json\0'))
    expect(header % 512).toBe(0)
    bytes[header + 512 + 20] = bytes[header + 512 + 20]! ^ 0x01
    writeFileSync(damaged, bytes)
    const rejected = await cli(['restore', damaged], freshDatabaseUrl().adminUrl)
    expect(rejected.code).not.toBe(0)
    expect(rejected.stderr).toContain('SHA-256 of catalog.json does not match')
  }, 2 * TIMEOUT_MS)

  it('restores with the other method: pg_dump where a compatible one is installed, with a clear refusal where not', async () => {
    const opened = await openBackup(archive)
    const { method, server } = opened.manifest
    rmSync(opened.dir, { recursive: true, force: true })
    const other = method === 'pg_dump' ? 'copy' : 'pg_dump'
    const out = path.join(work, `${other}.tar`)
    const backup = await cli(['backup', '--out', out, '--method', other], sourceAdminUrl)
    if (other === 'pg_dump') {
      // The copy method was chosen because the installed pg_dump is older than the server (or missing).
      expect(backup.code).not.toBe(0)
      expect(backup.stderr).toMatch(new RegExp(`cannot dump PostgreSQL ${Math.floor(server.versionNum / 10000)}|pg_dump is not installed`))
      return
    }
    expect(backup.code, backup.stderr).toBe(0)
    const target = freshDatabaseUrl()
    const restored = await cli(['restore', out], target.adminUrl)
    expect(restored.code, restored.stderr).toBe(0)
    expect(await tableContents(target.adminUrl, Object.keys(sourceContents))).toEqual(sourceContents)
  }, 2 * TIMEOUT_MS)

  it('restores into a new embedded data directory (TESSERA_HOME), which backs up to the same rows', async () => {
    const embeddedHome = mkdtempSync(path.join(tmpdir(), 'tessera-restore-home-'))
    try {
      const restored = await cli(['restore', archive], undefined, {}, embeddedHome)
      expect(restored.code, restored.stderr).toBe(0)
      expect(restored.stdout).toContain(`the embedded PostgreSQL in ${embeddedHome}`)
      const out = path.join(work, 'embedded.tar')
      const backup = await cli(['backup', '--out', out, '--method', 'copy'], undefined, {}, embeddedHome)
      expect(backup.code, backup.stderr).toBe(0)
      const [first, second] = [await openBackup(archive), await openBackup(out)]
      try {
        const rows = (manifest: typeof first.manifest) => manifest.tables.map((t) => `${t.name} ${t.rows} ${t.rowsDigest}`)
        expect(rows(second.manifest)).toEqual(rows(first.manifest))
        expect(second.catalog.partitions.map((p) => p.name)).toEqual(first.catalog.partitions.map((p) => p.name))
      } finally {
        rmSync(first.dir, { recursive: true, force: true })
        rmSync(second.dir, { recursive: true, force: true })
      }
    } finally {
      rmSync(embeddedHome, { recursive: true, force: true })
    }
  }, 3 * TIMEOUT_MS)
})
