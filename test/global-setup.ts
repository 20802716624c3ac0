import { createHash } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { bootstrapWithSuperuser, withCredentials } from '../src/platform/database-roles.ts'
import { startEmbeddedPostgres, type EmbeddedHandle } from '../src/platform/embedded-postgres.ts'
import { migrate, readMigrations } from '../src/platform/migrate.ts'
import { TEST_SECRET_KEY } from './secret.ts'

/**
 * Starts (or reuses) PostgreSQL once for the whole run and migrates a template database;
 * every test file clones it (`create database … template …`), as immich does.
 * TEST_DATABASE_URL (a superuser URL) selects a real server; otherwise the embedded one.
 */
let embedded: EmbeddedHandle | undefined

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.TEST_DATABASE_URL
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(path.resolve('.tessera/test'))
    adminUrl = embedded.adminUrl
  }
  const checksum = createHash('sha256').update(readMigrations().map((m) => m.checksum).join()).digest('hex').slice(0, 16)
  const template = `tessera_template_${checksum}`
  try {
    await prepareTemplate(adminUrl, template)
  } catch (error) {
    await embedded?.stop()
    throw error
  }
  project.provide('adminUrl', adminUrl)
  project.provide('templateDatabase', template)
  return async () => {
    await embedded?.stop()
  }
}

async function prepareTemplate(adminUrl: string, template: string): Promise<void> {
  await bootstrapWithSuperuser(adminUrl, template, TEST_SECRET_KEY)
  const admin = new pg.Client({ connectionString: withCredentials(adminUrl, decodeURIComponent(new URL(adminUrl).username), decodeURIComponent(new URL(adminUrl).password), 'postgres') })
  await admin.connect()
  try {
    const { resolveConnections } = await import('../src/platform/database-roles.ts')
    const { ownerUrl } = await resolveConnections(withCredentials(adminUrl, decodeURIComponent(new URL(adminUrl).username), decodeURIComponent(new URL(adminUrl).password), template), undefined, TEST_SECRET_KEY)
    await migrate(ownerUrl)
    // Clones need the template free of connections.
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [template])
  } finally {
    await admin.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string
    templateDatabase: string
  }
}
