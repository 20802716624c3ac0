import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { bootstrapWithSuperuser, resolveConnections, withCredentials } from '../src/platform/database-roles.ts'
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/platform/embedded-postgres.ts'
import { migrate, readMigrations } from '../src/platform/migrate.ts'
import { TEST_SECRET_KEY } from './secret.ts'

/**
 * Starts (or reuses) PostgreSQL once for the whole run and migrates a template database;
 * every test file clones it (`create database … template …`), as immich does.
 * TEST_DATABASE_URL (or else DATABASE_URL; a superuser URL) selects a real server, where the
 * suite creates its own template and per-file databases; otherwise the embedded one.
 * The databases a run creates are named after the run and dropped when it ends, so a
 * shared server does not fill up with test databases.
 */
let embedded: EmbeddedHandle | undefined

function onDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  return withCredentials(url, decodeURIComponent(parsed.username), decodeURIComponent(parsed.password), database)
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.resolve('.tessera/test'))
    adminUrl = embedded.adminUrl
  }
  const checksum = createHash('sha256').update(readMigrations().map((m) => m.checksum).join()).digest('hex').slice(0, 16)
  const template = `tessera_template_${checksum}`
  const runId = randomBytes(3).toString('hex')
  try {
    await prepareTemplate(adminUrl, template)
  } catch (error) {
    await embedded?.stop()
    throw error
  }
  project.provide('adminUrl', adminUrl)
  project.provide('templateDatabase', template)
  project.provide('testRunId', runId)
  const url = adminUrl
  return async () => {
    await dropRunDatabases(url, runId, template).catch(() => undefined)
    await embedded?.stop()
  }
}

async function prepareTemplate(adminUrl: string, template: string): Promise<void> {
  await bootstrapWithSuperuser(adminUrl, template, TEST_SECRET_KEY)
  const { ownerUrl } = await resolveConnections(onDatabase(adminUrl, template), undefined, TEST_SECRET_KEY)
  await migrate(ownerUrl)
  const admin = new pg.Client({ connectionString: onDatabase(adminUrl, 'postgres') })
  await admin.connect()
  try {
    // Clones need the template free of connections.
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [template])
  } finally {
    await admin.end()
  }
}

/** Drops this run's per-file databases and templates of older migration sets. */
async function dropRunDatabases(adminUrl: string, runId: string, template: string): Promise<void> {
  const admin = new pg.Client({ connectionString: onDatabase(adminUrl, 'postgres') })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database
        where datname like $1 or (datname like 'tessera\\_template\\_%' and datname <> $2)`,
      [`t\\_${runId}\\_%`, template],
    )
    for (const { datname } of rows) {
      // Another run (another checkout's migrations) may be cloning an older template right
      // now: those are dropped only when nobody uses them, this run's own databases always.
      const force = datname.startsWith('t_') ? ' with (force)' : ''
      await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)}${force}`).catch(() => undefined)
    }
  } finally {
    await admin.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string
    templateDatabase: string
    testRunId: string
  }
}
