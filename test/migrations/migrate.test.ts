import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, inject, it } from 'vitest'
import {
  APP_ROLE,
  DatabaseVersionError,
  OWNER_ROLE,
  assertSafeRuntimeRole,
  checkServerVersion,
  resolveConnections,
} from '../../src/platform/database-roles.ts'
import { MIGRATIONS_DIR, MigrationError, migrate, migrationStatus, readMigrations } from '../../src/platform/migrate.ts'
import { TEST_SECRET_KEY } from '../secret.ts'
import { describeServer, dropDatabase, emptyDatabase, query, scratchDatabaseName, superuserUrl } from './databases.ts'

/**
 * Migrations from an empty database, the way a first start does it: a superuser URL
 * bootstraps the roles and the database, then migrate() runs as tessera_owner.
 */

const ALL_VERSIONS = readMigrations().map((migration) => migration.version)

/** The test server, plus any server in TEST_EXTRA_DATABASE_URLS (comma-separated superuser URLs). */
const SERVERS = [
  inject('adminUrl'),
  ...(process.env.TEST_EXTRA_DATABASE_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== ''),
]

/** A copy of db/migrations that a test may edit. */
function migrationsCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-migrations-'))
  cpSync(MIGRATIONS_DIR, dir, { recursive: true })
  return dir
}

describe('migrate', () => {
  it('applies every migration to an empty database as the owner, then nothing on a second run', async () => {
    const { ownerUrl, adminUrl } = await emptyDatabase()
    expect(await migrate(ownerUrl)).toEqual(ALL_VERSIONS)
    expect(await migrate(ownerUrl)).toEqual([])
    const recorded = await query<{ version: string; checksum: string; applied_by: string }>(adminUrl, 'select version, checksum, applied_by from ops.schema_migrations order by version')
    expect(recorded).toEqual(readMigrations().map((m) => ({ version: m.version, checksum: m.checksum, applied_by: OWNER_ROLE })))
  })

  it('serializes two concurrent runs on a fresh database: both resolve, each migration is recorded once', async () => {
    const { ownerUrl, adminUrl } = await emptyDatabase()
    const [first, second] = await Promise.all([migrate(ownerUrl), migrate(ownerUrl)])
    // One run applied everything while the other waited on the advisory lock.
    expect([...first, ...second].sort()).toEqual(ALL_VERSIONS)
    expect([first.length, second.length].sort()).toEqual([0, ALL_VERSIONS.length])
    const counts = await query<{ version: string; n: number }>(adminUrl, 'select version, count(*)::int as n from ops.schema_migrations group by version order by version')
    expect(counts).toEqual(ALL_VERSIONS.map((version) => ({ version, n: 1 })))
  })

  it('reports pending, applied and modified migrations, and refuses to run once an applied file was edited', async () => {
    const dir = migrationsCopy()
    try {
      const { ownerUrl, adminUrl } = await emptyDatabase()
      expect((await migrationStatus(ownerUrl, dir)).map((m) => m.state)).toEqual(ALL_VERSIONS.map(() => 'pending'))

      await migrate(ownerUrl, { dir })
      const applied = await migrationStatus(ownerUrl, dir)
      expect(applied.map((m) => m.state)).toEqual(ALL_VERSIONS.map(() => 'applied'))
      expect(applied.every((m) => m.appliedAt instanceof Date)).toBe(true)

      const edited = readMigrations(dir)[2]!
      appendFileSync(path.join(dir, edited.file), '\n-- edited after it was applied\n')
      writeFileSync(path.join(dir, '9999_create_probe.sql'), 'create table ops.probe (id integer);\n')
      const status = await migrationStatus(ownerUrl, dir)
      expect(status.filter((m) => m.state !== 'applied').map((m) => [m.version, m.state])).toEqual([
        [edited.version, 'modified'],
        ['9999', 'pending'],
      ])

      await expect(migrate(ownerUrl, { dir })).rejects.toThrow(MigrationError)
      await expect(migrate(ownerUrl, { dir })).rejects.toThrow(edited.file)
      // Refused before applying anything: the pending migration did not run.
      expect(await query(adminUrl, "select to_regclass('ops.probe') as probe")).toEqual([{ probe: null }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('rolls back a failing migration entirely and names it', async () => {
    const dir = migrationsCopy()
    try {
      writeFileSync(path.join(dir, '9999_break_halfway.sql'), 'create table ops.half_done (id integer);\nselect 1 / 0;\n')
      const { ownerUrl, adminUrl } = await emptyDatabase()
      await expect(migrate(ownerUrl, { dir })).rejects.toThrow(/9999_break_halfway\.sql failed: division by zero/)
      const state = await query<{ half_done: string | null; recorded: string[] }>(
        adminUrl,
        "select to_regclass('ops.half_done')::text as half_done, array(select version::text from ops.schema_migrations order by version) as recorded")
      expect(state).toEqual([{ half_done: null, recorded: ALL_VERSIONS }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('PostgreSQL version gate', () => {
  it('refuses minor releases without the Row-Level Security CVE fixes, naming the CVEs', () => {
    expect(() => checkServerVersion(150013, '15.13')).toThrow(DatabaseVersionError)
    expect(() => checkServerVersion(150013, '15.13')).toThrow(/CVE-2023-2455.*CVE-2024-10976.*CVE-2025-8713/)
    expect(() => checkServerVersion(150013, '15.13')).toThrow(/15\.14/)
    expect(() => checkServerVersion(160009, '16.9')).toThrow(DatabaseVersionError)
    expect(() => checkServerVersion(170005, '17.5')).toThrow(DatabaseVersionError)
  })

  it('refuses PostgreSQL older than 15', () => {
    expect(() => checkServerVersion(140000, '14.0')).toThrow(/needs PostgreSQL 15 or newer/)
    expect(() => checkServerVersion(149999, '14.99')).toThrow(DatabaseVersionError)
  })

  it.each([
    [150014, '15.14'],
    [160010, '16.10'],
    [170006, '17.6'],
    [180000, '18.0'],
  ])('accepts %i (%s)', (versionNum, versionText) => {
    expect(() => checkServerVersion(versionNum, versionText)).not.toThrow()
  })
})

describe('every configured server', () => {
  it.each(SERVERS.map((server) => [describeServer(server), server] as const))(
    'creates, migrates and serves a new database from nothing on %s',
    async (_label, server) => {
      const database = scratchDatabaseName(server)
      // DATABASE_URL names a database that does not exist yet: the superuser creates it.
      const { ownerUrl, runtimeUrl } = await resolveConnections(superuserUrl(server, database), undefined, TEST_SECRET_KEY)
      try {
        expect(await migrate(ownerUrl)).toEqual(ALL_VERSIONS)
        const runtime = new pg.Client({ connectionString: runtimeUrl })
        await runtime.connect()
        try {
          await assertSafeRuntimeRole(runtime)
          const { rows } = await runtime.query<{ user: string; users: number; settings: number }>(
            'select current_user as user, (select count(*)::int from auth.users) as users, (select count(*)::int from app.system_settings) as settings')
          // Connected as the app login, and RLS is live: no context, no rows.
          expect(rows).toEqual([{ user: APP_ROLE, users: 0, settings: 0 }])
        } finally {
          await runtime.end()
        }
      } finally {
        await dropDatabase(server, database)
      }
    },
  )
})
