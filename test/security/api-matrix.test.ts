import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/app.ts'
import { installQueueSchema } from '../../src/modules/jobs/jobs.runner.ts'
import { createTestApp, registerUser, uniqueEmail, type Session, type TestContext } from '../app.ts'
import { createPipeline, push } from '../ingest.ts'
import { addMember, bearer, createApiKey, createOrg, createTeam, type OrgFixture } from '../tenancy.ts'

/**
 * Cross-tenant matrix: every route under /api/v1/orgs/:orgId/… is called by organization B
 * (its owner's session, and an API key of B with the admin scope) with organization A's
 * ids. Every call must answer 404 (401 where the route refuses API keys), and A's rows must
 * be byte-for-byte unchanged afterwards. A tenant route missing from MATRIX fails the suite:
 * whoever adds one adds its row here.
 */

interface Ids {
  orgId: string
  userId: string
  teamId: string
  invitationId: string
  keyId: string
  pipelineId: string
  sinkId: string
  deliveryId: string
  dataSourceId: string
  runId: string
  checkId: string
  metricId: string
  kpiId: string
  queryId: string
  dashboardId: string
  widgetId: string
  /** A version number of A's dashboard (its creation is version 1). */
  version: string
  /** An error group of A (telemetry.error_logs). */
  errorId: string
}

interface MatrixRow {
  /** Whether the route accepts API keys (config auth 'any'); other routes answer 401 to a key. */
  keys: boolean
  body?: (ids: Ids) => Record<string, unknown>
}

const MATRIX: Record<string, MatrixRow> = {
  'GET /api/v1/orgs/:orgId': { keys: true },
  'PATCH /api/v1/orgs/:orgId': { keys: false, body: () => ({ name: 'Taken over' }) },
  'DELETE /api/v1/orgs/:orgId': { keys: false },
  'GET /api/v1/orgs/:orgId/members': { keys: true },
  'POST /api/v1/orgs/:orgId/members': { keys: false, body: () => ({ email: uniqueEmail('intruder'), role: 'owner' }) },
  'PATCH /api/v1/orgs/:orgId/members/:userId': { keys: false, body: () => ({ role: 'viewer' }) },
  'DELETE /api/v1/orgs/:orgId/members/:userId': { keys: false },
  'GET /api/v1/orgs/:orgId/invitations': { keys: false },
  'DELETE /api/v1/orgs/:orgId/invitations/:invitationId': { keys: false },
  'GET /api/v1/orgs/:orgId/teams': { keys: true },
  'POST /api/v1/orgs/:orgId/teams': { keys: false, body: () => ({ name: 'Intruders' }) },
  'GET /api/v1/orgs/:orgId/teams/:teamId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/teams/:teamId': { keys: false, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/teams/:teamId': { keys: false },
  'GET /api/v1/orgs/:orgId/teams/:teamId/members': { keys: true },
  'POST /api/v1/orgs/:orgId/teams/:teamId/members': { keys: false, body: (ids) => ({ userId: ids.userId, role: 'maintainer' }) },
  'DELETE /api/v1/orgs/:orgId/teams/:teamId/members/:userId': { keys: false },
  'GET /api/v1/orgs/:orgId/api-keys': { keys: false },
  'POST /api/v1/orgs/:orgId/api-keys': { keys: false, body: () => ({ name: 'Backdoor', scopes: ['admin'] }) },
  'DELETE /api/v1/orgs/:orgId/api-keys/:keyId': { keys: false },
  'GET /api/v1/orgs/:orgId/audit': { keys: true },
  'GET /api/v1/orgs/:orgId/errors': { keys: true },
  'GET /api/v1/orgs/:orgId/errors/:errorId': { keys: true },
  'POST /api/v1/orgs/:orgId/errors/:errorId/resolve': { keys: true, body: () => ({ notes: 'Resolved by B' }) },
  'POST /api/v1/orgs/:orgId/mappings/preview': { keys: false, body: () => ({ mapping: { mappings: [], transformations: [] }, sample: [{ a: 1 }] }) },
  'GET /api/v1/orgs/:orgId/pipelines': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines': { keys: false, body: () => ({ name: 'Planted by B', type: 'realtime' }) },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/pipelines/:pipelineId': { keys: false, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/pipelines/:pipelineId': { keys: false },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/pause': { keys: false, body: () => ({ reason: 'Paused by B' }) },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/resume': { keys: false },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/webhook-secret': { keys: false },
  'PUT /api/v1/orgs/:orgId/pipelines/:pipelineId/mapping': { keys: false, body: () => ({ mappings: [], transformations: [] }) },
  'DELETE /api/v1/orgs/:orgId/pipelines/:pipelineId/mapping': { keys: false },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/sinks': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/sinks': { keys: false, body: () => ({ sinkType: 'webhook', config: { url: 'https://b.example.com/steal' } }) },
  'DELETE /api/v1/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId': { keys: false },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId/deliveries': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/sinks/:sinkId/deliveries/:deliveryId/retry': { keys: false },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/data': { keys: true },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/data/hourly': { keys: true },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks': { keys: false, body: () => ({ name: 'Planted by B', checkType: 'freshness', config: { maxAgeMinutes: 1 }, onFailure: 'pause' }) },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks/:checkId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks/:checkId': { keys: false, body: () => ({ onFailure: 'pause', threshold: 1 }) },
  'DELETE /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks/:checkId': { keys: false },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks/:checkId/results': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/quality-checks/:checkId/run': { keys: false },
  'GET /api/v1/orgs/:orgId/data-sources': { keys: true },
  'POST /api/v1/orgs/:orgId/data-sources': { keys: true, body: () => ({ name: 'Planted by B', type: 'push' }) },
  'POST /api/v1/orgs/:orgId/data-sources/csv': { keys: true },
  'GET /api/v1/orgs/:orgId/data-sources/:dataSourceId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/data-sources/:dataSourceId': { keys: true, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/data-sources/:dataSourceId': { keys: true },
  'POST /api/v1/orgs/:orgId/data-sources/:dataSourceId/test': { keys: true },
  'POST /api/v1/orgs/:orgId/data-sources/:dataSourceId/discover': { keys: true },
  'POST /api/v1/orgs/:orgId/pipelines/:pipelineId/runs': { keys: true, body: () => ({ priority: -1000 }) },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/runs': { keys: true },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/statistics': { keys: true },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/workflow': { keys: true },
  'PATCH /api/v1/orgs/:orgId/pipelines/:pipelineId/workflow': { keys: true, body: () => ({ maxRetries: 0, timeoutMinutes: 1 }) },
  'GET /api/v1/orgs/:orgId/runs/:runId': { keys: true },
  'POST /api/v1/orgs/:orgId/runs/:runId/cancel': { keys: true },
  'POST /api/v1/orgs/:orgId/runs/:runId/retry': { keys: true },
  'GET /api/v1/orgs/:orgId/metrics': { keys: true },
  'POST /api/v1/orgs/:orgId/metrics': { keys: false, body: () => ({ name: 'planted.by.b', displayName: 'Planted by B' }) },
  'GET /api/v1/orgs/:orgId/metrics/:metricId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/metrics/:metricId': { keys: false, body: () => ({ displayName: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/metrics/:metricId': { keys: false },
  // Push routes take a JSON array; B's admin key passes the ingest scope check (admin implies every scope).
  'POST /api/v1/orgs/:orgId/metrics/:metricId/points': { keys: true, body: () => [{ timestamp: new Date().toISOString(), value: 666 }] as unknown as Record<string, unknown> },
  'POST /api/v1/orgs/:orgId/metrics/points': { keys: true, body: (ids) => [{ metric: ids.metricId, timestamp: new Date().toISOString(), value: 666 }] as unknown as Record<string, unknown> },
  'GET /api/v1/orgs/:orgId/kpis': { keys: true },
  'POST /api/v1/orgs/:orgId/kpis': { keys: false, body: (ids) => ({ metricId: ids.metricId, name: 'Planted by B', targetValue: 1 }) },
  'GET /api/v1/orgs/:orgId/kpis/:kpiId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/kpis/:kpiId': { keys: false, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/kpis/:kpiId': { keys: false },
  'GET /api/v1/orgs/:orgId/metrics/:metricId/series': { keys: true },
  'GET /api/v1/orgs/:orgId/pipelines/:pipelineId/series': { keys: true },
  'GET /api/v1/orgs/:orgId/dashboards': { keys: true },
  'POST /api/v1/orgs/:orgId/dashboards': { keys: false, body: () => ({ name: 'Planted by B' }) },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/dashboards/:dashboardId': { keys: false, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/dashboards/:dashboardId': { keys: false },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/restore': { keys: false },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/duplicate': { keys: false, body: () => ({ name: 'Copied by B' }) },
  'PUT /api/v1/orgs/:orgId/dashboards/:dashboardId/star': { keys: false },
  'DELETE /api/v1/orgs/:orgId/dashboards/:dashboardId/star': { keys: false },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/permissions': { keys: false },
  'PUT /api/v1/orgs/:orgId/dashboards/:dashboardId/permissions': { keys: false, body: (ids) => ({ permissions: [{ userId: ids.userId, permission: 'admin' }] }) },
  'DELETE /api/v1/orgs/:orgId/dashboards/:dashboardId/permissions': { keys: false },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/widgets': { keys: true },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/widgets': { keys: false, body: () => ({ type: 'text', title: 'Planted by B', position: { x: 0, y: 0, w: 2, h: 2 }, config: { markdown: 'B' } }) },
  'PATCH /api/v1/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId': { keys: false, body: () => ({ title: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId': { keys: false },
  'PUT /api/v1/orgs/:orgId/dashboards/:dashboardId/layout': { keys: false, body: (ids) => ({ items: [{ widgetId: ids.widgetId, x: 6, y: 6, w: 2, h: 2 }] }) },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/data': { keys: true },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId/export': { keys: true },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/export.pdf': { keys: true },
  'PUT /api/v1/orgs/:orgId/dashboards/:dashboardId/document': { keys: false, body: (ids) => ({ widgets: [{ id: ids.widgetId, type: 'text', title: 'Planted by B', position: { x: 0, y: 0, w: 2, h: 2 }, config: { markdown: 'B' } }] }) },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/versions': { keys: true },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/versions/:version': { keys: true },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/versions/:version/restore': { keys: false },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/export': { keys: true },
  'POST /api/v1/orgs/:orgId/dashboards/import': { keys: false, body: () => ({ format: 'tessera.dashboard', formatVersion: 1, dashboard: { name: 'Planted by B' }, widgets: [] }) },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/public-link': { keys: false, body: () => ({ allowViewerChanges: true }) },
  'DELETE /api/v1/orgs/:orgId/dashboards/:dashboardId/public-link': { keys: false },
  'POST /api/v1/orgs/:orgId/dashboards/:dashboardId/embed-url': { keys: false, body: () => ({ expiresInSeconds: 600 }) },
  'POST /api/v1/orgs/:orgId/embed-key/rotate': { keys: false },
  'GET /api/v1/orgs/:orgId/dashboards/:dashboardId/usage': { keys: true },
  'GET /api/v1/orgs/:orgId/live': { keys: true },
  'GET /api/v1/orgs/:orgId/queries': { keys: true },
  'POST /api/v1/orgs/:orgId/queries': { keys: false, body: (ids) => ({ name: 'Planted by B', dataSourceId: ids.dataSourceId, queryText: 'select 1' }) },
  'POST /api/v1/orgs/:orgId/queries/preview': { keys: false, body: (ids) => ({ dataSourceId: ids.dataSourceId, queryText: 'select 1' }) },
  'GET /api/v1/orgs/:orgId/queries/:queryId': { keys: true },
  'PATCH /api/v1/orgs/:orgId/queries/:queryId': { keys: false, body: () => ({ name: 'Renamed by B' }) },
  'DELETE /api/v1/orgs/:orgId/queries/:queryId': { keys: false },
  'POST /api/v1/orgs/:orgId/queries/:queryId/run': { keys: true, body: () => ({ params: {} }) },
  'POST /api/v1/orgs/:orgId/widgets/preview': { keys: true, body: (ids) => ({ dataQuery: { source: 'metric', metricId: ids.metricId } }) },
  'POST /api/v1/orgs/:orgId/tool-calls': { keys: true, body: () => ({ calls: [{ server: 'planted-by-b', tool: 'planted', durationMs: 1, success: true }] }) },
  'GET /api/v1/orgs/:orgId/tool-calls': { keys: true },
  'GET /api/v1/orgs/:orgId/tool-calls/summary': { keys: true },
}

/** Every "METHOD /path" the app serves, read from app.printRoutes (HEAD twins dropped). */
export function registeredRoutes(app: App): string[] {
  const routes: string[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) {
      continue
    }
    const depth = (match[1] ?? '').length / 4
    stack.length = depth
    stack.push(match[2] ?? '')
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') {
        routes.push(`${method} ${stack.join('')}`)
      }
    }
  }
  return routes
}

function fillPath(path: string, ids: Ids): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = ids[name as keyof Ids]
    if (!value) {
      throw new Error(`no test id for path parameter :${name} in ${path}; extend Ids`)
    }
    return value
  })
}

let ctx: TestContext
let orgA: OrgFixture
let orgB: OrgFixture
let idsA: Ids
let keyB: string

async function snapshot(orgIds: string[]): Promise<string> {
  const tables = [
    'app.organizations where id = any($1)',
    'app.organization_members where organization_id = any($1)',
    'app.teams where organization_id = any($1)',
    'app.team_members where organization_id = any($1)',
    'app.invitations where organization_id = any($1)',
    'auth.api_keys where organization_id = any($1)',
    'ingest.pipelines where organization_id = any($1)',
    'ingest.pipeline_sinks where organization_id = any($1)',
    'ingest.sink_deliveries where organization_id = any($1)',
    'ingest.data_mappings where organization_id = any($1)',
    'ingest.pipeline_data where organization_id = any($1)',
    'ingest.pipeline_data_segments where organization_id = any($1)',
    'ingest.data_ingestion_jobs where organization_id = any($1)',
    'app.data_sources where organization_id = any($1)',
    'ingest.workflows where organization_id = any($1)',
    'ingest.workflow_executions where organization_id = any($1)',
    'ingest.data_quality_checks where organization_id = any($1)',
    'ingest.data_quality_results where organization_id = any($1)',
    'app.metrics where organization_id = any($1)',
    'app.kpis where organization_id = any($1)',
    'ts.time_series_data where organization_id = any($1)',
    'ts.rollup_invalidations where organization_id = any($1)',
    'app.dashboards where organization_id = any($1)',
    'app.dashboard_permissions where organization_id = any($1)',
    'app.dashboard_stars where organization_id = any($1)',
    'app.widgets where organization_id = any($1)',
    'telemetry.dashboard_usage_logs where organization_id = any($1)',
    'app.dashboard_versions where organization_id = any($1)',
    'app.embed_signing_keys where organization_id = any($1)',
    'app.queries where organization_id = any($1)',
    'app.saved_query_results where organization_id = any($1)',
    "telemetry.query_performance_logs where organization_id = any($1) and query_kind = 'saved_query'",
    'telemetry.tool_usage_logs where organization_id = any($1)',
    'telemetry.error_logs where organization_id = any($1)',
  ]
  const parts: unknown[] = []
  for (const from of tables) {
    // last_used_* moves whenever a key authenticates (B's key on its own org); it is not tenant data.
    const { rows } = await ctx.admin.query(`select to_jsonb(t) - 'last_used_at' - 'last_used_ip' as row from ${from.replace(' where', ' t where')} order by 1`, [orgIds])
    parts.push(rows)
  }
  const mail = await ctx.admin.query('select count(*)::int as n from app.mail_outbox')
  parts.push(mail.rows[0])
  return JSON.stringify(parts)
}

beforeAll(async () => {
  ctx = await createTestApp()
  // A's push queues its sink delivery job in its own transaction.
  await installQueueSchema(ctx.testDb.ownerUrl)
  orgA = await createOrg(ctx.app, await registerUser(ctx.app))
  const memberA: Session = await addMember(ctx.app, orgA, 'member')
  const teamA = await createTeam(ctx.app, orgA)
  await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/teams/${teamA}/members`, headers: orgA.owner.headers, payload: { userId: memberA.userId } })
  const invitation = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/members`, headers: orgA.owner.headers, payload: { email: uniqueEmail('pending'), role: 'admin' } })
  const keyA = await createApiKey(ctx.app, orgA, ['read', 'admin'])
  const pipelineA = await createPipeline(ctx.app, orgA, {
    mapping: { mappings: [{ path: '$.n', field: 'n', type: 'integer' }], transformations: [] },
    sinks: [{ sinkType: 'webhook', config: { url: 'https://a.example.com/in' } }],
  })
  const sinkA = (await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${orgA.id}/pipelines/${pipelineA.id}/sinks`, headers: orgA.owner.headers })).json().sinks[0]
  await push(ctx.app, pipelineA.id, { key: (await createApiKey(ctx.app, orgA, ['ingest'])).key, records: [{ n: 1 }, { n: 2 }] })
  const { rows: deliveryRows } = await ctx.admin.query<{ id: string }>('select id from ingest.sink_deliveries where pipeline_id = $1', [pipelineA.id])
  const dataSource = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/data-sources`, headers: orgA.owner.headers, payload: { name: 'A source', type: 'push' } })
  // A failed run of A's pipeline (retryable, so a retry or cancel that got through would show).
  const { rows: runRows } = await ctx.admin.query<{ id: string }>(
    `with w as (insert into ingest.workflows (organization_id, pipeline_id, name) values ($1, $2, 'A workflow') returning id)
     insert into ingest.workflow_executions (organization_id, workflow_id, pipeline_id, run_number, status, started_at, completed_at)
     select $1, w.id, $2, 1, 'Failed', now(), now() from w returning id`, [orgA.id, pipelineA.id])
  const check = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgA.id}/pipelines/${pipelineA.id}/quality-checks`,
    headers: orgA.owner.headers,
    payload: { name: 'A check', checkType: 'completeness', config: { fields: ['n'] } },
  })
  const metricA = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/metrics`, headers: orgA.owner.headers, payload: { name: 'a.metric', displayName: 'A metric' } })
  const kpiA = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/kpis`, headers: orgA.owner.headers, payload: { metricId: metricA.json().id, name: 'A KPI', targetValue: 1 } })
  const dashboardA = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/dashboards`, headers: orgA.owner.headers, payload: { name: 'A dashboard' } })
  const { rows: widgetRows } = await ctx.admin.query<{ id: string }>(
    `insert into app.widgets (organization_id, dashboard_id, widget_type, title, position) values ($1, $2, 'table', 'A widget', '{"x":0,"y":0,"w":4,"h":3}') returning id`, [orgA.id, dashboardA.json().id])
  await ctx.app.inject({ method: 'PUT', url: `/api/v1/orgs/${orgA.id}/dashboards/${dashboardA.json().id}/permissions`, headers: orgA.owner.headers, payload: { permissions: [{ userId: memberA.userId, permission: 'view' }] } })
  // A saved query on a PostgreSQL source (never connected to: no route of the matrix may reach it).
  const sqlSourceA = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${orgA.id}/data-sources`,
    headers: orgA.owner.headers,
    payload: { name: 'A warehouse', type: 'postgresql', config: { host: '127.0.0.1', port: 5432, database: 'a_warehouse', user: 'a', password: 'a', sslMode: 'disable' } },
  })
  const queryA = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgA.id}/queries`, headers: orgA.owner.headers, payload: { name: 'A query', dataSourceId: sqlSourceA.json().id, queryText: 'select 1' } })
  const { rows: errorRows } = await ctx.admin.query<{ id: string }>("insert into telemetry.error_logs (organization_id, level, message) values ($1, 'error', 'A failed') returning id::text", [orgA.id])
  idsA = { errorId: errorRows[0]!.id, version: '1', queryId: queryA.json().id, dashboardId: dashboardA.json().id, widgetId: widgetRows[0]!.id, metricId: metricA.json().id, kpiId: kpiA.json().id, orgId: orgA.id, userId: memberA.userId, teamId: teamA, invitationId: invitation.json().invitation.id, keyId: keyA.id, pipelineId: pipelineA.id, sinkId: sinkA.id, deliveryId: deliveryRows[0]!.id, dataSourceId: dataSource.json().id, runId: runRows[0]!.id, checkId: check.json().id }

  orgB = await createOrg(ctx.app, await registerUser(ctx.app))
  await createTeam(ctx.app, orgB)
  keyB = (await createApiKey(ctx.app, orgB, ['read', 'write', 'admin'])).key
})
afterAll(async () => {
  await ctx.close()
})

describe('tenant API matrix', () => {
  it('covers every tenant route the app registers', () => {
    const tenantRoutes = registeredRoutes(ctx.app).filter((route) => route.split(' ')[1]?.startsWith('/api/v1/orgs/:orgId'))
    expect(tenantRoutes.length).toBeGreaterThan(0)
    const missing = tenantRoutes.filter((route) => !(route in MATRIX))
    expect(missing, 'tenant routes missing from MATRIX in test/security/api-matrix.test.ts').toEqual([])
    const stale = Object.keys(MATRIX).filter((route) => !tenantRoutes.includes(route))
    expect(stale, 'MATRIX rows for routes that no longer exist').toEqual([])
  })

  it("answers 404 to B's owner session and B's admin key on every route with A's ids, and A is unchanged", async () => {
    const before = await snapshot([orgA.id, orgB.id])
    const failures: string[] = []
    // Variant 1: A's organization id. Variant 2: B's own organization id with A's resource ids.
    const idsInB: Ids = { ...idsA, orgId: orgB.id }
    for (const [route, row] of Object.entries(MATRIX)) {
      const [method, path] = route.split(' ') as [string, string]
      const variants = [idsA, ...(/:(?!orgId\b)\w+/.test(path) ? [idsInB] : [])]
      for (const ids of variants) {
        const url = fillPath(path, ids)
        const payload = row.body?.(idsA)
        const callers = [
          { who: "B's owner session", headers: orgB.owner.headers, expected: 404 },
          { who: "B's admin key", headers: bearer(keyB), expected: row.keys ? 404 : 401 },
          { who: 'nobody', headers: {}, expected: 401 },
        ]
        for (const caller of callers) {
          const response = await ctx.app.inject({ method: method as 'GET', url, headers: caller.headers, ...(payload && { payload }) })
          if (response.statusCode !== caller.expected) {
            failures.push(`${route} as ${caller.who} (${url}): ${response.statusCode} ${response.body.slice(0, 200)}`)
          }
          for (const foreign of [orgA.id, idsA.userId, idsA.teamId, idsA.invitationId, idsA.keyId, idsA.pipelineId, idsA.sinkId, idsA.deliveryId, idsA.dataSourceId, idsA.runId, idsA.checkId, idsA.metricId, idsA.kpiId, idsA.dashboardId, idsA.widgetId, idsA.queryId, orgA.owner.userId]) {
            if (response.body.includes(foreign)) {
              failures.push(`${route} as ${caller.who} leaked ${foreign}`)
            }
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(await snapshot([orgA.id, orgB.id])).toBe(before)
  })

  it("answers 404 to B's ingest key pushing to A's pipeline, and stores nothing", async () => {
    const ingestKeyB = (await createApiKey(ctx.app, orgB, ['ingest', 'admin'])).key
    const before = await snapshot([orgA.id, orgB.id])
    const response = await push(ctx.app, idsA.pipelineId, { key: ingestKeyB, records: [{ n: 666 }] })
    expect(response.statusCode).toBe(404)
    expect(response.body).not.toContain(idsA.pipelineId)
    expect(await snapshot([orgA.id, orgB.id])).toBe(before)
  })

  it("still serves A's own owner on the same routes (the ids are real)", async () => {
    for (const path of ['/api/v1/orgs/:orgId', '/api/v1/orgs/:orgId/members', '/api/v1/orgs/:orgId/teams/:teamId', '/api/v1/orgs/:orgId/teams/:teamId/members', '/api/v1/orgs/:orgId/invitations', '/api/v1/orgs/:orgId/runs/:runId']) {
      const response = await ctx.app.inject({ method: 'GET', url: fillPath(path, idsA), headers: orgA.owner.headers })
      expect(response.statusCode, path).toBe(200)
    }
  })
})
