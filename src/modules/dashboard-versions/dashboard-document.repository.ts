import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import type { AppDashboards, AppWidgets } from '../../platform/db.generated.ts'
import type { Db } from '../../platform/db.ts'

/** The writes of a whole-document save: the dashboard's settings and its set of widgets. */

export type WidgetRow = Selectable<AppWidgets>

export function listWidgets(db: Db, orgId: string, dashboardId: string): Promise<WidgetRow[]> {
  return db.selectFrom('app.widgets').selectAll()
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .orderBy('created_at').orderBy('id')
    .execute()
}

/** Also moves updated_at when only widgets change: cached dashboard data is keyed on it. */
export async function updateSettings(db: Db, orgId: string, dashboardId: string, values: Updateable<AppDashboards>): Promise<void> {
  await db.updateTable('app.dashboards').set({ ...values, updated_at: new Date() })
    .where('organization_id', '=', orgId)
    .where('id', '=', dashboardId)
    .execute()
}

export async function deleteWidgetsExcept(db: Db, orgId: string, dashboardId: string, keep: string[]): Promise<void> {
  let query = db.deleteFrom('app.widgets').where('organization_id', '=', orgId).where('dashboard_id', '=', dashboardId)
  if (keep.length > 0) {
    query = query.where('id', 'not in', keep)
  }
  await query.execute()
}

export async function updateWidget(db: Db, orgId: string, dashboardId: string, id: string, values: Updateable<AppWidgets>): Promise<void> {
  await db.updateTable('app.widgets').set(values)
    .where('organization_id', '=', orgId)
    .where('dashboard_id', '=', dashboardId)
    .where('id', '=', id)
    .execute()
}

/**
 * created_at is the list order; now() is the same for the whole transaction, so the widgets
 * of one save take clock_timestamp() to keep the order of the document.
 */
export async function insertWidget(db: Db, values: Omit<Insertable<AppWidgets>, 'created_at'>): Promise<void> {
  await db.insertInto('app.widgets').values({ ...values, created_at: sql<Date>`clock_timestamp()` }).execute()
}

export async function logUsage(
  db: Db,
  values: { organization_id: string; dashboard_id: string; user_id: string; action: 'edit' | 'export'; session_id: string | null; ip_address: string | null; user_agent: string | null },
): Promise<void> {
  await db.insertInto('telemetry.dashboard_usage_logs').values(values).execute()
}
