import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import type { AppKpis, AppMetrics } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'

/** app.metrics with the calculation columns of migration 0110 (not in db.generated.ts yet). */
export type MetricRow = Selectable<AppMetrics> & { last_calculated_at: Date | null; last_calculation_error: string | null }
export type KpiRow = Selectable<AppKpis>

export async function insertMetric(db: Db, values: Insertable<AppMetrics>): Promise<MetricRow> {
  return (await db.insertInto('app.metrics').values(values).returningAll().executeTakeFirstOrThrow()) as MetricRow
}

export async function findMetric(db: Db, orgId: string, id: string): Promise<MetricRow | undefined> {
  return (await db.selectFrom('app.metrics').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()) as MetricRow | undefined
}

export async function listMetrics(db: Db, orgId: string, filter: { search?: string; tag?: string; source?: string }): Promise<MetricRow[]> {
  let query = db.selectFrom('app.metrics').selectAll().where('organization_id', '=', orgId)
  if (filter.search) {
    // ILIKE with the user's text escaped: % and _ are literal characters here.
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('display_name', 'ilike', pattern)]))
  }
  if (filter.tag) {
    query = query.where(sql<boolean>`tags @> array[${filter.tag}]::text[]`)
  }
  if (filter.source) {
    query = query.where('source', '=', filter.source)
  }
  return (await query.orderBy('name').limit(1000).execute()) as MetricRow[]
}

export async function updateMetric(db: Db, orgId: string, id: string, values: Updateable<AppMetrics>): Promise<MetricRow | undefined> {
  return (await db.updateTable('app.metrics').set(values).where('organization_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst()) as
    | MetricRow
    | undefined
}

/**
 * Deletes a metric with its points in every storage. Points have no foreign key to their
 * metric (a check per point on the hottest path), so they go explicitly, in the caller's
 * transaction; rollup tables that other modules add later are cleared when they exist.
 */
export async function deleteMetricWithPoints(db: Db, orgId: string, id: string): Promise<boolean> {
  for (const table of ['ts.time_series_data', 'ts.time_series_late', 'ts.time_series_segments', 'ts.rollup_invalidations', 'ts.aggregated_metrics']) {
    const { rows } = await sql<{ exists: boolean }>`select to_regclass(${table}) is not null as exists`.execute(db)
    if (rows[0]?.exists) {
      await sql`delete from ${sql.table(table)} where organization_id = ${orgId} and metric_id = ${id}`.execute(db)
    }
  }
  const result = await db.deleteFrom('app.metrics').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function pipelineExists(db: Db, orgId: string, id: string): Promise<boolean> {
  return (await db.selectFrom('ingest.pipelines').select('id').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()) !== undefined
}

export async function dataSourceType(db: Db, orgId: string, id: string): Promise<string | undefined> {
  return (await db.selectFrom('app.data_sources').select('type').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst())?.type
}

export async function insertKpi(db: Db, values: Insertable<AppKpis>): Promise<KpiRow> {
  return db.insertInto('app.kpis').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function findKpi(db: Db, orgId: string, id: string): Promise<KpiRow | undefined> {
  return db.selectFrom('app.kpis').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
}

export async function listKpis(db: Db, orgId: string, metricId: string | undefined): Promise<KpiRow[]> {
  let query = db.selectFrom('app.kpis').selectAll().where('organization_id', '=', orgId)
  if (metricId) {
    query = query.where('metric_id', '=', metricId)
  }
  return query.orderBy('name').orderBy('id').limit(1000).execute()
}

export async function updateKpi(db: Db, orgId: string, id: string, values: Updateable<AppKpis>): Promise<KpiRow | undefined> {
  return db.updateTable('app.kpis').set(values).where('organization_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function deleteKpi(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('app.kpis').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}
