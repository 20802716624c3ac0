import { sql, type Selectable, type Updateable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export type DataSourceRow = Selectable<DB['app.data_sources']>
export type DataSourceFileInfo = Omit<Selectable<DB['app.data_source_files']>, 'content' | 'organization_id' | 'created_by'>

export async function listDataSources(db: Db, orgId: string): Promise<DataSourceRow[]> {
  return db.selectFrom('app.data_sources').selectAll().where('organization_id', '=', orgId).orderBy('name').orderBy('id').execute()
}

export async function findDataSource(db: Db, orgId: string, id: string): Promise<DataSourceRow | undefined> {
  return db.selectFrom('app.data_sources').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
}

/** Takes the row lock: a concurrent PATCH can't merge secrets into a stale config. */
export async function findDataSourceForUpdate(db: Db, orgId: string, id: string): Promise<DataSourceRow | undefined> {
  return db.selectFrom('app.data_sources').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function insertDataSource(
  db: Db,
  values: { id: string; orgId: string; name: string; description: string | null; type: string; config: Record<string, unknown>; credentials: string | null; createdBy: string },
): Promise<DataSourceRow> {
  return db
    .insertInto('app.data_sources')
    .values({
      id: values.id,
      organization_id: values.orgId,
      name: values.name,
      description: values.description,
      type: values.type,
      connection_config: JSON.stringify(values.config),
      credentials_encrypted: values.credentials,
      // Push sources are never checked: their health stays unknown.
      health_status: 'unknown',
      created_by: values.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateDataSource(db: Db, orgId: string, id: string, values: Updateable<DB['app.data_sources']>): Promise<DataSourceRow | undefined> {
  return db.updateTable('app.data_sources').set(values).where('organization_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteDataSource(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('app.data_sources').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function recordHealth(db: Db, orgId: string, id: string, status: string, error: string | null): Promise<void> {
  await db
    .updateTable('app.data_sources')
    .set({ health_status: status, last_health_check: sql`now()`, last_health_error: error })
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .execute()
}

export async function recordSchemaMetadata(db: Db, orgId: string, id: string, metadata: Record<string, unknown>): Promise<void> {
  await db.updateTable('app.data_sources').set({ schema_metadata: JSON.stringify(metadata) }).where('organization_id', '=', orgId).where('id', '=', id).execute()
}

export async function insertDataSourceFile(
  db: Db,
  values: { orgId: string; dataSourceId: string; name: string; sizeBytes: number; sha256: string; rowCount: number; columns: unknown; delimiter: string; content: Buffer; createdBy: string },
): Promise<void> {
  await db
    .insertInto('app.data_source_files')
    .values({
      organization_id: values.orgId,
      data_source_id: values.dataSourceId,
      name: values.name,
      size_bytes: values.sizeBytes,
      sha256: values.sha256,
      row_count: values.rowCount,
      columns: JSON.stringify(values.columns),
      delimiter: values.delimiter,
      content: values.content,
      created_by: values.createdBy,
    })
    .execute()
}

/** The latest file of each given source (without its content). */
export async function latestFiles(db: Db, orgId: string, dataSourceIds: string[]): Promise<Map<string, DataSourceFileInfo>> {
  if (dataSourceIds.length === 0) {
    return new Map()
  }
  const rows = await db
    .selectFrom('app.data_source_files')
    .select(['id', 'data_source_id', 'name', 'size_bytes', 'sha256', 'row_count', 'columns', 'delimiter', 'created_at'])
    .distinctOn('data_source_id')
    .where('organization_id', '=', orgId)
    .where('data_source_id', 'in', dataSourceIds)
    .orderBy('data_source_id')
    .orderBy('created_at', 'desc')
    .execute()
  return new Map(rows.map((row) => [row.data_source_id, row]))
}

/** Every source of every organization, for the health job (SECURITY DEFINER; ids only). */
export async function sourcesForHealthCheck(db: Db): Promise<Array<{ id: string; organization_id: string; acting_user_id: string | null }>> {
  const { rows } = await sql<{ id: string; organization_id: string; acting_user_id: string | null }>`select * from private.data_sources_for_health_check()`.execute(db)
  return rows
}
