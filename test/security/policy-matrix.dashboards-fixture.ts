/** Fixture rows of policy-matrix.dashboards.ts (kept apart: the fixture imports this, not the specs). */

type Insert = (table: string, label: string, text: string, values: unknown[], idExpr?: string) => Promise<string>

/** One row of every dashboard table in each organization, labelled A and B. */
export async function createDashboardRows(insert: Insert, f: { orgA: string; orgB: string; users: { A: string; B: string } }): Promise<void> {
  for (const org of ['A', 'B'] as const) {
    const o = org === 'A' ? f.orgA : f.orgB
    const user = f.users[org]
    const dashboard = await insert('app.dashboards', org, 'insert into app.dashboards (organization_id, name, slug, created_by) values ($1, $2, $3, $4)', [o, `Board ${org}`, `board-${org.toLowerCase()}`, user])
    await insert('app.dashboard_permissions', org, "insert into app.dashboard_permissions (organization_id, dashboard_id, user_id, permission_type) values ($1, $2, $3, 'view')", [o, dashboard, user])
    await insert('app.widgets', org, `insert into app.widgets (organization_id, dashboard_id, widget_type, title, position) values ($1, $2, 'table', 'Rows', '{"x":0,"y":0,"w":4,"h":3}')`, [o, dashboard])
    await insert('app.dashboard_stars', org, 'insert into app.dashboard_stars (organization_id, user_id, dashboard_id) values ($1, $2, $3)', [o, user, dashboard], 'user_id::text')
    await insert('app.embed_signing_keys', org, "insert into app.embed_signing_keys (organization_id, key_version, sealed_key) values ($1, 1, 'v1:sealed')", [o])
    await insert('telemetry.dashboard_usage_logs', org, "insert into telemetry.dashboard_usage_logs (organization_id, dashboard_id, user_id, action) values ($1, $2, $3, 'view')", [o, dashboard, user])
  }
}
