import { createHmac } from 'node:crypto'
import pg from 'pg'

/**
 * Tessera's three database roles:
 *  - OWNER_ROLE owns every schema object and runs migrations and maintenance DDL;
 *  - RUNTIME_ROLE is the NOLOGIN group every runtime login belongs to; grants go to it;
 *  - APP_ROLE is the login the API and worker use: no superuser, no BYPASSRLS, owns nothing;
 *  - DEFINER_ROLE (NOLOGIN, BYPASSRLS) owns only the few SECURITY DEFINER helpers
 *    that must read across rows before a user is known (login, session lookup);
 *  - LOG_WRITER_ROLE is the login of the request-log writer (src/modules/request-logs): it
 *    may INSERT into telemetry.request_logs and nothing else, so the connection that takes
 *    every request's headers and bodies can neither read them back nor touch other data.
 * See docs/database-roles.md for the SQL a DBA runs to create them by hand.
 */
export const OWNER_ROLE = 'tessera_owner'
export const RUNTIME_ROLE = 'tessera_runtime'
export const APP_ROLE = 'tessera_app'
export const DEFINER_ROLE = 'tessera_definer'
export const LOG_WRITER_ROLE = 'tessera_log_writer'

/** Minor releases that fixed the RLS CVEs CVE-2023-2455, CVE-2024-10976 and CVE-2025-8713. */
const MINIMUM_MINOR: Record<number, number> = { 15: 14, 16: 10, 17: 6 }

export class DatabaseVersionError extends Error {}

export function checkServerVersion(versionNum: number, versionText: string): void {
  const major = Math.floor(versionNum / 10000)
  const minor = versionNum % 10000
  if (major < 15) {
    throw new DatabaseVersionError(`PostgreSQL ${versionText} is not supported: Tessera needs PostgreSQL 15 or newer`)
  }
  const required = MINIMUM_MINOR[major]
  if (required !== undefined && minor < required) {
    throw new DatabaseVersionError(
      `PostgreSQL ${versionText} has unfixed Row-Level Security vulnerabilities (CVE-2023-2455, CVE-2024-10976, CVE-2025-8713); upgrade to ${major}.${required} or newer`,
    )
  }
}

export function derivedRolePassword(secretKey: Buffer, role: string): string {
  return createHmac('sha256', secretKey).update(`tessera-db-role:${role}`).digest('base64url')
}

export function withCredentials(url: string, user: string, password: string | undefined, database?: string): string {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(user)
  parsed.password = password ? encodeURIComponent(password) : ''
  if (database) {
    parsed.pathname = `/${encodeURIComponent(database)}`
  }
  return parsed.toString()
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  return name || 'postgres'
}

export interface ConnectionInfo {
  isSuperuser: boolean
  bypassRls: boolean
  user: string
  versionNum: number
  versionText: string
}

export async function inspectConnection(client: pg.Client): Promise<ConnectionInfo> {
  const { rows } = await client.query<{ rolsuper: boolean; rolbypassrls: boolean; user: string; num: string; text: string }>(
    `select r.rolsuper, r.rolbypassrls, current_user as user,
            current_setting('server_version_num') as num, current_setting('server_version') as text
       from pg_roles r where r.rolname = current_user`,
  )
  const row = rows[0]
  if (!row) {
    throw new Error('could not read the current role from pg_roles')
  }
  return { isSuperuser: row.rolsuper, bypassRls: row.rolbypassrls, user: row.user, versionNum: Number(row.num), versionText: row.text.split(' ')[0] ?? row.text }
}

async function ensureRole(client: pg.Client, name: string, attributes: string, password?: string): Promise<void> {
  const exists = await client.query('select 1 from pg_roles where rolname = $1', [name])
  const ident = client.escapeIdentifier(name)
  const passwordClause = password ? ` password ${client.escapeLiteral(password)}` : ''
  if (exists.rowCount === 0) {
    await client.query(`create role ${ident} ${attributes}${passwordClause}`)
  } else {
    await client.query(`alter role ${ident} ${attributes}${passwordClause}`)
  }
}

/**
 * Uses a superuser connection once to create the database (if missing), the roles and
 * the extensions that need a superuser. Tessera never connects as superuser afterwards.
 */
export async function bootstrapWithSuperuser(adminUrl: string, database: string, secretKey: Buffer): Promise<void> {
  const maintenance = new pg.Client({ connectionString: withCredentials(adminUrl, decodeURIComponent(new URL(adminUrl).username), decodeURIComponent(new URL(adminUrl).password), 'postgres') })
  await maintenance.connect()
  try {
    const info = await inspectConnection(maintenance)
    checkServerVersion(info.versionNum, info.versionText)
    // Roles are cluster-wide; concurrent bootstraps (two processes starting at once) serialize here.
    await maintenance.query('select pg_advisory_lock(727274001)')
    try {
      await ensureRole(maintenance, OWNER_ROLE, 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls', derivedRolePassword(secretKey, OWNER_ROLE))
      await ensureRole(maintenance, RUNTIME_ROLE, 'nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls')
      await ensureRole(maintenance, APP_ROLE, 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls', derivedRolePassword(secretKey, APP_ROLE))
      await ensureRole(maintenance, DEFINER_ROLE, 'nologin nosuperuser nocreatedb nocreaterole noreplication bypassrls')
      await ensureRole(maintenance, LOG_WRITER_ROLE, 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls', derivedRolePassword(secretKey, LOG_WRITER_ROLE))
      await maintenance.query(`grant ${RUNTIME_ROLE} to ${APP_ROLE}`)
      // The owner hands the SECURITY DEFINER helpers to the definer role and grants to the runtime group.
      await maintenance.query(`grant ${DEFINER_ROLE} to ${OWNER_ROLE}`)
      await maintenance.query(`grant ${RUNTIME_ROLE} to ${OWNER_ROLE}`)
      // Every session's and statement's statistics for the database-health functions the definer owns (db/migrations/0290).
      await maintenance.query(`grant pg_monitor to ${DEFINER_ROLE}`)
      const db = await maintenance.query('select 1 from pg_database where datname = $1', [database])
      if (db.rowCount === 0) {
        await maintenance.query(`create database ${maintenance.escapeIdentifier(database)} owner ${OWNER_ROLE}`).catch((error: { code?: string }) => {
          if (error.code !== '42P04') {
            throw error
          }
        })
      }
      await maintenance.query(`grant connect, create, temporary on database ${maintenance.escapeIdentifier(database)} to ${OWNER_ROLE}`)
      await maintenance.query(`grant connect on database ${maintenance.escapeIdentifier(database)} to ${RUNTIME_ROLE}`)
      await maintenance.query(`grant connect on database ${maintenance.escapeIdentifier(database)} to ${LOG_WRITER_ROLE}`)
    } finally {
      await maintenance.query('select pg_advisory_unlock(727274001)')
    }
  } finally {
    await maintenance.end()
  }

  const target = new pg.Client({ connectionString: withCredentials(adminUrl, decodeURIComponent(new URL(adminUrl).username), decodeURIComponent(new URL(adminUrl).password), database) })
  await target.connect()
  try {
    for (const extension of ['pgcrypto', 'pg_trgm', 'btree_gin', 'citext']) {
      await target.query(`create extension if not exists ${extension}`).catch((error: { code?: string }) => {
        // Two bootstraps racing on the same database: the other one created it.
        if (error.code !== '23505' && error.code !== '42710') {
          throw error
        }
      })
    }
    // Slow queries on the Database page; it reads them once the server also preloads the library
    // (docs/database-health.md). A server without the extension's files just goes without.
    await target.query('create extension if not exists pg_stat_statements').catch(() => undefined)
  } finally {
    await target.end()
  }
}

export interface ResolvedConnections {
  ownerUrl: string
  runtimeUrl: string
}

/**
 * Turns DATABASE_URL into the owner and runtime connection strings. A superuser URL is
 * used to bootstrap roles; an owner URL is used as is, with the runtime login from
 * DATABASE_RUNTIME_URL or the derived `tessera_app` credentials.
 */
export async function resolveConnections(databaseUrl: string, runtimeUrl: string | undefined, secretKey: Buffer): Promise<ResolvedConnections> {
  const database = databaseName(databaseUrl)
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 })
  let info: ConnectionInfo
  try {
    await probe.connect()
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === '3D000') {
      // The database does not exist yet: a superuser can create it.
      const maintenance = withCredentials(databaseUrl, decodeURIComponent(new URL(databaseUrl).username), decodeURIComponent(new URL(databaseUrl).password), 'postgres')
      await bootstrapWithSuperuser(maintenance, database, secretKey)
      return ownDerived(databaseUrl, database, secretKey)
    }
    throw new Error(`cannot connect to DATABASE_URL: ${(error as Error).message}`)
  }
  try {
    info = await inspectConnection(probe)
  } finally {
    await probe.end()
  }
  checkServerVersion(info.versionNum, info.versionText)
  if (info.isSuperuser) {
    await bootstrapWithSuperuser(databaseUrl, database, secretKey)
    return ownDerived(databaseUrl, database, secretKey)
  }
  if (info.bypassRls) {
    throw new Error(`DATABASE_URL connects as "${info.user}", which has BYPASSRLS; the owner role must not bypass Row-Level Security`)
  }
  return {
    ownerUrl: databaseUrl,
    runtimeUrl: runtimeUrl ?? withCredentials(databaseUrl, APP_ROLE, derivedRolePassword(secretKey, APP_ROLE), database),
  }
}

function ownDerived(databaseUrl: string, database: string, secretKey: Buffer): ResolvedConnections {
  return {
    ownerUrl: withCredentials(databaseUrl, OWNER_ROLE, derivedRolePassword(secretKey, OWNER_ROLE), database),
    runtimeUrl: withCredentials(databaseUrl, APP_ROLE, derivedRolePassword(secretKey, APP_ROLE), database),
  }
}

/**
 * Refuses a runtime connection that could bypass RLS; called at every start. Checks the
 * login and every role it can become (membership is transitive), since SET ROLE to a
 * BYPASSRLS or owning role would defeat the policies just as well.
 */
export async function assertSafeRuntimeRole(client: pg.Client | pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; owns: string }>(
    `select r.rolname, r.rolsuper, r.rolbypassrls,
            ((select count(*) from pg_class c where c.relowner = r.oid)
             + (select count(*) from pg_proc p where p.proowner = r.oid)
             + (select count(*) from pg_namespace n where n.nspowner = r.oid))::text as owns
       from pg_roles r
      where pg_has_role(current_user, r.oid, 'member')`,
  )
  const unsafe = rows.filter((row) => row.rolsuper || row.rolbypassrls || row.owns !== '0')
  if (rows.length === 0 || unsafe.length > 0) {
    const names = unsafe.map((row) => row.rolname).join(', ')
    throw new Error(`the runtime database role and the roles it can become (${names}) must not be superuser, must not have BYPASSRLS and must own nothing`)
  }
}
