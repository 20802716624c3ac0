import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import type { DB } from './db.generated.ts'

export type { DB }
export type Db = Kysely<DB> | Transaction<DB>
export type Trx = Transaction<DB>

// timestamptz and bigint come back as Date and string by default; counts are parsed where used.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value)

export interface Database {
  db: Kysely<DB>
  pool: pg.Pool
  close(): Promise<void>
}

export function createDatabase(connectionString: string, options: { max?: number; applicationName?: string } = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName ?? 'tessera',
  })
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined)
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    pool,
    async close() {
      await db.destroy()
    },
  }
}

/** Request metadata the audit triggers and security events read from the transaction. */
export interface RequestContext {
  ip?: string | undefined
  requestId?: string | undefined
  sessionId?: string | undefined
  userAgent?: string | undefined
}

export interface TenantContext extends RequestContext {
  userId?: string | null | undefined
  orgId?: string | null | undefined
}

/**
 * Runs fn in one transaction whose first statement binds the request context with
 * set_config(…, true): transaction-local, so a pooled connection never carries it into
 * another request (and PgBouncer in transaction mode stays safe). RLS policies read it.
 */
export async function withContext<T>(db: Kysely<DB>, context: TenantContext, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.user_id', ${context.userId ?? ''}, true),
                     set_config('app.org_id', ${context.orgId ?? ''}, true),
                     set_config('app.ip', ${context.ip ?? ''}, true),
                     set_config('app.request_id', ${context.requestId ?? ''}, true),
                     set_config('app.session_id', ${context.sessionId ?? ''}, true),
                     set_config('app.user_agent', ${(context.userAgent ?? '').slice(0, 500)}, true)`.execute(trx)
    return fn(trx)
  })
}

/** A tenant-scoped transaction: the user acting inside one organization. */
export function withTenant<T>(db: Kysely<DB>, context: TenantContext & { userId: string; orgId: string }, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return withContext(db, context, fn)
}
