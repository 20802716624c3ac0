import type { Selectable, Updateable } from 'kysely'
import { sql } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type QueryRow = Selectable<DB['app.queries']>

export function listQueries(db: Db, orgId: string): Promise<QueryRow[]> {
  return db.selectFrom('app.queries').selectAll().where('organization_id', '=', orgId).orderBy('name').orderBy('id').execute()
}

export function findQuery(db: Db, orgId: string, id: string): Promise<QueryRow | undefined> {
  return db.selectFrom('app.queries').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
}

export function insertQuery(
  db: Db,
  values: {
    orgId: string
    dataSourceId: string
    name: string
    description: string | null
    queryText: string
    parameters: unknown[]
    cacheDuration: number
    rowLimit: number
    timeoutMs: number
    createdBy: string
  },
): Promise<QueryRow> {
  return db
    .insertInto('app.queries')
    .values({
      organization_id: values.orgId,
      data_source_id: values.dataSourceId,
      name: values.name,
      description: values.description,
      query_text: values.queryText,
      parameters: JSON.stringify(values.parameters),
      cache_duration: values.cacheDuration,
      row_limit: values.rowLimit,
      timeout_ms: values.timeoutMs,
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function updateQuery(db: Db, orgId: string, id: string, values: Updateable<DB['app.queries']>): Promise<QueryRow | undefined> {
  return db.updateTable('app.queries').set(values).where('organization_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteQuery(db: Db, orgId: string, id: string): Promise<boolean> {
  const row = await db.deleteFrom('app.queries').where('organization_id', '=', orgId).where('id', '=', id).returning('id').executeTakeFirst()
  return row !== undefined
}

/** Records the columns of a successful run (writers only: for a viewer RLS updates nothing). */
export async function recordRun(db: Db, orgId: string, id: string, columns: unknown[]): Promise<void> {
  await db
    .updateTable('app.queries')
    .set({ result_schema: JSON.stringify({ columns }), last_run_at: sql<Date>`now()` })
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .execute()
}

export async function findCachedResult(db: Db, orgId: string, queryId: string, cacheKey: string): Promise<{ result_data: unknown; computed_at: Date } | undefined> {
  return db
    .selectFrom('app.saved_query_results')
    .select(['result_data', 'computed_at'])
    .where('organization_id', '=', orgId)
    .where('query_id', '=', queryId)
    .where('cache_key', '=', cacheKey)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

export async function storeCachedResult(db: Db, orgId: string, queryId: string, cacheKey: string, result: unknown, computedAt: Date, ttlSeconds: number): Promise<void> {
  await db
    .insertInto('app.saved_query_results')
    .values({
      organization_id: orgId,
      query_id: queryId,
      cache_key: cacheKey,
      result_data: JSON.stringify(result),
      computed_at: computedAt,
      expires_at: new Date(computedAt.getTime() + ttlSeconds * 1000),
    })
    .onConflict((oc) =>
      oc.columns(['organization_id', 'query_id', 'cache_key']).doUpdateSet((eb) => ({
        result_data: eb.ref('excluded.result_data'),
        computed_at: eb.ref('excluded.computed_at'),
        expires_at: eb.ref('excluded.expires_at'),
      })),
    )
    .execute()
}

/** An edited query's cached answers are dropped (their keys could not match again anyway). */
export async function clearCachedResults(db: Db, orgId: string, queryId: string): Promise<void> {
  await db.deleteFrom('app.saved_query_results').where('organization_id', '=', orgId).where('query_id', '=', queryId).execute()
}

export async function logExecution(
  db: Db,
  log: { orgId: string; queryId: string | null; executionTimeMs: number; rowsReturned: number | null; cacheHit: boolean; source: string },
): Promise<void> {
  await db
    .insertInto('telemetry.query_performance_logs')
    .values({
      organization_id: log.orgId,
      query_id: log.queryId,
      query_kind: 'saved_query',
      execution_time_ms: Math.max(0, Math.round(log.executionTimeMs)),
      rows_returned: log.rowsReturned,
      cache_hit: log.cacheHit,
      source: log.source,
    })
    .execute()
}
