import type { Db } from '../../platform/db.ts'

/** An export in the dashboard usage log (telemetry.dashboard_usage_logs), beside the views and edits the dashboards module records. */
export async function logExport(
  db: Db,
  values: { organization_id: string; dashboard_id: string; user_id: string; session_id: string | null; ip_address: string | null; user_agent: string | null },
): Promise<void> {
  await db.insertInto('telemetry.dashboard_usage_logs').values({ ...values, action: 'export' }).execute()
}
