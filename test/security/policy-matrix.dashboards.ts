import { A_ACTIVE, DENIED, NEW, all, each, only, self, type TableSpec } from './policy-matrix.dsl.ts'
import { orgId, tenantTable, type TenantTable } from './policy-matrix.ingest.ts'

/**
 * Dashboard tables (issue 5, db/migrations/0200). Dashboards, their permissions and widgets
 * take the standard tenant policies (per-dashboard permissions are the service's, see
 * docs/permissions.md). Stars: every active member reads the organization's stars and stars or
 * unstars only as themselves. The usage log is append-only for every active member.
 */

const TABLES: TenantTable[] = [
  {
    table: 'app.dashboards',
    newRow: (f, org) => ({
      text: 'insert into app.dashboards (organization_id, name, slug) values ($1, $2, $2) returning id::text as id',
      values: [orgId(f, org), `new-board-${org.toLowerCase()}`],
    }),
  },
  {
    table: 'app.dashboard_permissions',
    newRow: (f, org) => ({
      text: "insert into app.dashboard_permissions (organization_id, dashboard_id, team_id, permission_type) values ($1, $2, $3, 'edit') returning id::text as id",
      values: [orgId(f, org), f.id('app.dashboards', org), f.id('app.teams', org)],
    }),
  },
  {
    table: 'app.widgets',
    newRow: (f, org) => ({
      text: `insert into app.widgets (organization_id, dashboard_id, widget_type, title, position) values ($1, $2, 'stat_card', 'New', '{"x":0,"y":0,"w":2,"h":2}') returning id::text as id`,
      values: [orgId(f, org), f.id('app.dashboards', org)],
    }),
  },
  {
    // Embed signing keys (0241): sealed by the app; a rotation adds the next version.
    table: 'app.embed_signing_keys',
    newRow: (f, org) => ({
      text: "insert into app.embed_signing_keys (organization_id, key_version, sealed_key) values ($1, $2, 'v1:sealed') returning id::text as id",
      values: [orgId(f, org), 2 + Math.floor(Math.random() * 1_000_000)],
    }),
  },
]

const ID = 'id::text as id'
const STAR = 'user_id::text as id'

const STARS: TableSpec = {
  table: 'app.dashboard_stars',
  idColumn: 'user_id',
  statements: [
    { name: 'select', sql: () => ({ text: `select ${STAR} from app.dashboard_stars` }), expect: only(each(A_ACTIVE, ['A'])) },
    {
      // The fixture's star of A is aOwner's: their second star of the same dashboard is a no-op.
      name: "star A's dashboard as oneself",
      sql: (f, actor) => ({
        text: `insert into app.dashboard_stars (organization_id, user_id, dashboard_id) values ($1, $2, $3) on conflict do nothing returning ${STAR}`,
        values: [f.orgA, self(f, actor), f.id('app.dashboards', 'A')],
      }),
      expect: only({ aOwner: [], aAdmin: [NEW], aMember: [NEW], aViewer: [NEW] }, DENIED),
    },
    {
      name: "star A's dashboard as its owner (someone else)",
      sql: (f) => ({ text: `insert into app.dashboard_stars (organization_id, user_id, dashboard_id) values ($1, $2, $3) returning ${STAR}`, values: [f.orgA, f.user.aAdmin, f.id('app.dashboards', 'A')] }),
      expect: only({ aAdmin: [NEW] }, DENIED),
    },
    {
      name: 'insert a row into B (a foreign organization)',
      sql: (f, actor) => ({ text: `insert into app.dashboard_stars (organization_id, user_id, dashboard_id) values ($1, $2, $3) returning ${STAR}`, values: [f.orgB, self(f, actor), f.id('app.dashboards', 'B')] }),
      expect: all(DENIED),
    },
    { name: 'update every row', sql: () => ({ text: `update app.dashboard_stars set created_at = created_at returning ${STAR}` }), expect: all(DENIED) },
    { name: 'delete every row', sql: () => ({ text: `delete from app.dashboard_stars returning ${STAR}` }), expect: only({ aOwner: ['A'] }) },
  ],
}

const USAGE_LOGS: TableSpec = {
  table: 'telemetry.dashboard_usage_logs',
  statements: [
    { name: 'select', sql: () => ({ text: `select ${ID} from telemetry.dashboard_usage_logs` }), expect: only(each(A_ACTIVE, ['A'])) },
    {
      name: 'insert a row into A',
      sql: (f) => ({ text: `insert into telemetry.dashboard_usage_logs (organization_id, dashboard_id, action) values ($1, $2, 'view') returning ${ID}`, values: [f.orgA, f.id('app.dashboards', 'A')] }),
      expect: only(each(A_ACTIVE, [NEW]), DENIED),
    },
    {
      name: 'insert a row into B (a foreign organization)',
      sql: (f) => ({ text: `insert into telemetry.dashboard_usage_logs (organization_id, dashboard_id, action) values ($1, $2, 'view') returning ${ID}`, values: [f.orgB, f.id('app.dashboards', 'B')] }),
      expect: all(DENIED),
    },
    { name: 'update every row', sql: () => ({ text: `update telemetry.dashboard_usage_logs set action = action returning ${ID}` }), expect: all(DENIED) },
    {
      name: "move A's row to organization B",
      sql: (f) => ({ text: `update telemetry.dashboard_usage_logs set organization_id = $1 where id::text = $2 returning ${ID}`, values: [f.orgB, f.id('telemetry.dashboard_usage_logs', 'A')] }),
      expect: all(DENIED),
    },
    { name: 'delete every row', sql: () => ({ text: `delete from telemetry.dashboard_usage_logs returning ${ID}` }), expect: all(DENIED) },
  ],
}

/** seed 000's dashboard_stats (0230): read through this view by the organization's owners and admins only. */
const DASHBOARD_STATISTICS: TableSpec = {
  table: 'telemetry.dashboard_statistics',
  statements: [{ name: 'select', sql: () => ({ text: 'select id::text as id from telemetry.dashboard_statistics' }), expect: only({ aOwner: ['A'], aAdmin: ['A'] }) }],
}
/** The materialized view behind it has no Row-Level Security: no runtime grant at all. */
const DASHBOARD_STATS: TableSpec = {
  table: 'telemetry.dashboard_stats',
  statements: [{ name: 'select', sql: () => ({ text: 'select id::text as id from telemetry.dashboard_stats' }), expect: all(DENIED) }],
}

export const DASHBOARD_TABLES: TableSpec[] = [...TABLES.map(tenantTable), STARS, USAGE_LOGS, DASHBOARD_STATISTICS, DASHBOARD_STATS]
