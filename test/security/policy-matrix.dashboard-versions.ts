import type { TableSpec } from './policy-matrix.dsl.ts'
import { orgId, tenantTable } from './policy-matrix.ingest.ts'

/**
 * Dashboard versions (issue 5, db/migrations/0250): the standard tenant policies, like the
 * dashboards they belong to (who may read or restore one dashboard's versions is the service's
 * permission check, see docs/dashboards.md).
 */

const SNAPSHOT = JSON.stringify({ settings: { name: 'Board', description: null, tags: [], theme: {}, filters: {}, refreshInterval: 300, layout: {} }, widgets: [] })

export const DASHBOARD_VERSION_TABLES: TableSpec[] = [
  tenantTable({
    table: 'app.dashboard_versions',
    newRow: (f, org) => ({
      text: "insert into app.dashboard_versions (organization_id, dashboard_id, version, snapshot, summary) values ($1, $2, 2, $3, 'Saved') returning id::text as id",
      values: [orgId(f, org), f.id('app.dashboards', org), SNAPSHOT],
    }),
  }),
]
