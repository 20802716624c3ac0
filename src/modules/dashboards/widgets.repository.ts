import type { Insertable, Selectable, Updateable } from 'kysely'
import type { AppWidgets } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'

export type WidgetRow = Selectable<AppWidgets>

export function listWidgets(db: Db, orgId: string, dashboardId: string): Promise<WidgetRow[]> {
  return db.selectFrom('app.widgets').selectAll()
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .orderBy('created_at').orderBy('id')
    .execute()
}

export function findWidget(db: Db, orgId: string, dashboardId: string, id: string): Promise<WidgetRow | undefined> {
  return db.selectFrom('app.widgets').selectAll()
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertWidget(db: Db, values: Insertable<AppWidgets>): Promise<WidgetRow> {
  return db.insertInto('app.widgets').values(values).returningAll().executeTakeFirstOrThrow()
}

export function updateWidget(db: Db, orgId: string, id: string, values: Updateable<AppWidgets>): Promise<WidgetRow | undefined> {
  return db.updateTable('app.widgets').set(values)
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteWidget(db: Db, orgId: string, dashboardId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('app.widgets')
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .where('id', '=', id)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

export async function metricExists(db: Db, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('app.metrics').select('id').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
  return row !== undefined
}

export async function pipelineExists(db: Db, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('ingest.pipelines').select('id').where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst()
  return row !== undefined
}

/** Marks the dashboard changed (updated_at) when its widgets change. */
export async function touchDashboard(db: Db, orgId: string, dashboardId: string): Promise<void> {
  await db.updateTable('app.dashboards').set({ updated_at: new Date() }).where('organization_id', '=', orgId).where('id', '=', dashboardId).execute()
}
