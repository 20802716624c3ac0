/** Fixture rows of policy-matrix.dashboard-versions.ts (kept apart: the fixture imports this, not the specs). */

type Insert = (table: string, label: string, text: string, values: unknown[], idExpr?: string) => Promise<string>

const SNAPSHOT = JSON.stringify({ settings: { name: 'Board', description: null, tags: [], theme: {}, filters: {}, refreshInterval: 300, layout: {} }, widgets: [] })

/** Version 1 of the fixture's dashboard in each organization, labelled A and B. */
export async function createDashboardVersionRows(insert: Insert, f: { orgA: string; orgB: string; users: { A: string; B: string }; dashboardId: (org: 'A' | 'B') => string }): Promise<void> {
  for (const org of ['A', 'B'] as const) {
    await insert(
      'app.dashboard_versions',
      org,
      "insert into app.dashboard_versions (organization_id, dashboard_id, version, snapshot, summary, author_id) values ($1, $2, 1, $3, 'Created', $4)",
      [org === 'A' ? f.orgA : f.orgB, f.dashboardId(org), SNAPSHOT, f.users[org]],
    )
  }
}
