import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, inject } from 'vitest'
import { bootstrapWithSuperuser, resolveConnections, withCredentials } from '../../src/platform/database-roles.ts'
import { TEST_SECRET_KEY } from '../secret.ts'

/** Scratch databases for migration tests: created empty, dropped after the file's tests. */

export function superuserUrl(server: string, database: string): string {
  const url = new URL(server)
  return withCredentials(server, decodeURIComponent(url.username), decodeURIComponent(url.password), database)
}

/** host:port and the superuser's name; never the password. */
export function describeServer(server: string): string {
  const url = new URL(server)
  return `${decodeURIComponent(url.username)}@${url.host}`
}

const created: { server: string; database: string }[] = []

export async function dropDatabase(server: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl(server, 'postgres') })
  await client.connect()
  try {
    await client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`)
  } finally {
    await client.end()
  }
}

afterAll(async () => {
  for (const { server, database } of created) {
    await dropDatabase(server, database)
  }
})

/** A new database name on the server, dropped after the file's tests. */
export function scratchDatabaseName(server: string): string {
  const database = `tessera_migrate_${randomBytes(5).toString('hex')}`
  created.push({ server, database })
  return database
}

/** A new, empty database on the server: roles and database bootstrapped, nothing migrated. */
export async function emptyDatabase(server = inject('adminUrl')): Promise<{ ownerUrl: string; runtimeUrl: string; adminUrl: string }> {
  const database = scratchDatabaseName(server)
  await bootstrapWithSuperuser(server, database, TEST_SECRET_KEY)
  const adminUrl = superuserUrl(server, database)
  const { ownerUrl, runtimeUrl } = await resolveConnections(adminUrl, undefined, TEST_SECRET_KEY)
  return { ownerUrl, runtimeUrl, adminUrl }
}

export async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}
