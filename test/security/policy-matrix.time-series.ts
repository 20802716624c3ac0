import { randomUUID } from 'node:crypto'
import { A_ACTIVE, DENIED, NEW, all, each, only, type Outcome, type Statement, type TableSpec } from './policy-matrix.dsl.ts'
import type { ActorName } from './policy-matrix.fixture.ts'
import { orgId, tenantTable, type TenantTable } from './policy-matrix.ingest.ts'
import { TELEMETRY_MATVIEWS, TELEMETRY_VIEWS } from './policy-matrix.time-series-fixture.ts'

/**
 * Time-series tables (issue 4): metrics and KPIs in app, points, late points, rollup
 * invalidations and compressed segments in ts. Standard tenant policies, held to the same six
 * statements as the data-in tables. Tables without an id column are labelled by metric.
 */

const unique = () => randomUUID().slice(0, 8)

/** A statement that first creates its own metric in the organization, then the row that needs one. */
const withMetric = (insert: string) =>
  `with m as (insert into app.metrics (organization_id, name, display_name) values ($1, $2, $2) returning id, organization_id) ${insert}`

const TABLES: TenantTable[] = [
  {
    table: 'app.metrics',
    newRow: (f, org) => ({ text: 'insert into app.metrics (organization_id, name, display_name) values ($1, $2, $2) returning id::text as id', values: [orgId(f, org), `metric_${unique()}`] }),
  },
  {
    table: 'app.kpis',
    newRow: (f, org) => ({ text: "insert into app.kpis (organization_id, metric_id, name) values ($1, $2, 'New') returning id::text as id", values: [orgId(f, org), f.id('app.metrics', org)] }),
  },
  {
    table: 'ts.time_series_data',
    idColumn: 'metric_id',
    newRow: (f, org) => ({
      text: withMetric('insert into ts.time_series_data ("timestamp", metric_id, organization_id, value) select now(), id, organization_id, 2 from m returning metric_id::text as id'),
      values: [orgId(f, org), `metric_${unique()}`],
    }),
  },
  {
    table: 'ts.time_series_late',
    idColumn: 'metric_id',
    newRow: (f, org) => ({
      text: withMetric("insert into ts.time_series_late (\"timestamp\", metric_id, organization_id, value) select now() - interval '400 days', id, organization_id, 2 from m returning metric_id::text as id"),
      values: [orgId(f, org), `metric_${unique()}`],
    }),
  },
  {
    table: 'ts.rollup_invalidations',
    newRow: (f, org) => ({
      text: 'insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end) values ($1, $2, now(), now()) returning id::text as id',
      values: [orgId(f, org), f.id('app.metrics', org)],
    }),
  },
  {
    table: 'ts.aggregated_metrics',
    newRow: (f, org) => ({
      text: "insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value, dimensions) values ($1, $2, 'hour', now(), 1, 1, 1, jsonb_build_object('k', $3::text)) returning id::text as id",
      values: [orgId(f, org), f.id('app.metrics', org), unique()],
    }),
  },
  {
    table: 'ts.time_series_segments',
    idColumn: 'metric_id',
    newRow: (f, org) => ({
      text: withMetric(
        "insert into ts.time_series_segments (organization_id, metric_id, day, point_count, first_ts, last_ts, ts_deltas, \"values\", sum_value, min_value, max_value) select organization_id, id, current_date - 400, 1, now(), now(), '{0}', '{2}', 2, 2, 2 from m returning metric_id::text as id",
      ),
      values: [orgId(f, org), `metric_${unique()}`],
    }),
  },
  {
    table: 'ts.metric_idempotency_keys',
    idColumn: 'idempotency_key',
    newRow: (f, org) => ({
      text: "insert into ts.metric_idempotency_keys (organization_id, scope, idempotency_key, request_hash, response_status, response_body) values ($1, 'batch', $2, 'h', 200, '{}') returning idempotency_key::text as id",
      values: [orgId(f, org), `key-${unique()}`],
    }),
  },
]

/**
 * The series query cache and the query log take writes from every active member, viewers
 * included: reading a series (which viewers may) fills both (db/migrations/0120).
 */
const MEMBER_WRITTEN: TenantTable[] = [
  {
    table: 'ts.query_cache',
    newRow: (f, org) => ({
      text: `insert into ts.query_cache (organization_id, metric_id, cache_key, query_hash, result_data, range_start, range_end, computed_snapshot, expires_at)
             values ($1, $2, $3, 'h', '{}', now(), now(), pg_current_snapshot(), now()) returning id::text as id`,
      values: [orgId(f, org), f.id('app.metrics', org), `matrix:${unique()}`],
    }),
  },
  {
    table: 'telemetry.query_performance_logs',
    newRow: (f, org) => ({
      text: "insert into telemetry.query_performance_logs (organization_id, query_kind, execution_time_ms) values ($1, 'metric_series', 1) returning id::text as id",
      values: [orgId(f, org)],
    }),
  },
]

export function memberTable({ table, idColumn = 'id', newRow }: TenantTable): TableSpec {
  return {
    table,
    idColumn,
    statements: [
      { name: 'select', sql: () => ({ text: `select ${idColumn}::text as id from ${table}` }), expect: only(each(A_ACTIVE, ['A'])) },
      { name: 'insert a row into A', sql: (f) => newRow(f, 'A'), expect: only(each(A_ACTIVE, [NEW]), DENIED) },
      { name: 'insert a row into B (a foreign organization)', sql: (f) => newRow(f, 'B'), expect: all(DENIED) },
      { name: 'update every row', sql: () => ({ text: `update ${table} set organization_id = organization_id returning ${idColumn}::text as id` }), expect: only(each(A_ACTIVE, ['A'])) },
      {
        name: "move A's row to organization B",
        sql: (f) => ({ text: `update ${table} set organization_id = $1 where ${idColumn}::text = $2 returning ${idColumn}::text as id`, values: [f.orgB, f.id(table, 'A')] }),
        expect: only(each(A_ACTIVE, DENIED)),
      },
      { name: 'delete every row', sql: () => ({ text: `delete from ${table} returning ${idColumn}::text as id` }), expect: only(each(A_ACTIVE, ['A'])) },
    ],
  }
}

/**
 * The telemetry logs of 0180: every active member reads and appends their organization's rows;
 * rows without an organization are the instance's, for instance administrators only. No
 * UPDATE or DELETE grant (append-only), except the resolution columns of error_logs, which the
 * organization's owners and admins (instance administrators for the instance's errors) set.
 */
const A_ACTIVE_AND_INSTANCE = only({ ...each(A_ACTIVE, ['A']), instanceAdmin: ['instance'] })
const ID = 'id::text as id'
const unique8 = () => randomUUID().slice(0, 8)

interface TelemetryLog {
  table: string
  /** Who reads which rows, when it differs from the rule above. */
  select?: Record<ActorName, Outcome>
  /** An insert of one row whose organization is $1 (null: the instance), without RETURNING. */
  insert: string
  values: (org: string | null) => unknown[]
  /** Whether the log holds the instance's own rows (organization_id null). */
  instanceRows: boolean
  updates: Statement[]
}

function telemetryLog({ table, select: selectExpectation, insert, values, instanceRows, updates }: TelemetryLog): TableSpec {
  const newRow = (org: string | null) => ({ text: `${insert} returning ${ID}`, values: values(org) })
  return {
    table,
    statements: [
      { name: 'select', sql: () => ({ text: `select ${ID} from ${table}` }), expect: selectExpectation ?? (instanceRows ? A_ACTIVE_AND_INSTANCE : only(each(A_ACTIVE, ['A']))) },
      { name: 'insert a row into A', sql: (f) => newRow(f.orgA), expect: only(each(A_ACTIVE, [NEW]), DENIED) },
      { name: 'insert a row into B (a foreign organization)', sql: (f) => newRow(f.orgB), expect: all(DENIED) },
      ...(instanceRows ? [{ name: 'insert an instance row (no organization)', sql: () => newRow(null), expect: only({ instanceAdmin: [NEW] }, DENIED) }] : []),
      ...updates,
      {
        name: "move A's row to organization B",
        sql: (f) => ({ text: `update ${table} set organization_id = $1 where id::text = $2 returning ${ID}`, values: [f.orgB, f.id(table, 'A')] }),
        expect: all(DENIED),
      },
      { name: 'delete every row', sql: () => ({ text: `delete from ${table} returning ${ID}` }), expect: all(DENIED) },
    ],
  }
}

const TELEMETRY_LOGS: TableSpec[] = [
  telemetryLog({
    table: 'telemetry.tool_usage_logs',
    insert: "insert into telemetry.tool_usage_logs (organization_id, execution_id, bcp_name, tool_name, operation, duration_ms, success) values ($1, $2, 'crm', 'search', 'read', 5, true)",
    values: (org) => [org, `exec-${unique8()}`],
    instanceRows: false,
    updates: [{ name: 'update every row', sql: () => ({ text: `update telemetry.tool_usage_logs set success = success returning ${ID}` }), expect: all(DENIED) }],
  }),
  telemetryLog({
    table: 'telemetry.error_logs',
    // Instance administrators see and resolve every organization's errors too (0280).
    select: only({ ...each(A_ACTIVE, ['A']), instanceAdmin: ['A', 'B', 'instance'] }),
    insert: "insert into telemetry.error_logs (organization_id, level, message) values ($1, 'warn', 'new')",
    values: (org) => [org],
    instanceRows: true,
    updates: [
      {
        name: 'resolve every row',
        sql: (f, actor) => ({ text: `update telemetry.error_logs set resolved = true, resolved_at = now(), resolved_by = $1 returning ${ID}`, values: [actor.userId ?? f.user.outsider] }),
        expect: only({ aOwner: ['A'], aAdmin: ['A'], instanceAdmin: ['A', 'B', 'instance'] }),
      },
      { name: 'rewrite the message of every row', sql: () => ({ text: `update telemetry.error_logs set message = 'rewritten' returning ${ID}` }), expect: all(DENIED) },
    ],
  }),
  telemetryLog({
    table: 'telemetry.performance_metrics',
    insert: "insert into telemetry.performance_metrics (organization_id, metric_name, metric_value, aggregation_period, labels) values ($1, 'latency', 2, '1m', jsonb_build_object('k', $2::text))",
    values: (org) => [org, unique8()],
    instanceRows: true,
    updates: [{ name: 'update every row', sql: () => ({ text: `update telemetry.performance_metrics set metric_value = metric_value returning ${ID}` }), expect: all(DENIED) }],
  }),
]

/** The error fingerprint registry of 0280: only private.record_errors (tessera_definer) reads or writes it. */
const ERROR_FINGERPRINTS: TableSpec = {
  table: 'telemetry.error_fingerprints',
  idColumn: 'fingerprint',
  statements: [
    { name: 'select', sql: () => ({ text: 'select fingerprint as id from telemetry.error_fingerprints' }), expect: all(DENIED) },
    {
      name: 'insert a row into A',
      sql: (f) => ({ text: "insert into telemetry.error_fingerprints (organization_id, fingerprint, error_id, error_timestamp) values ($1, 'planted', 1, now()) returning fingerprint as id", values: [f.orgA] }),
      expect: all(DENIED),
    },
    { name: 'update every row', sql: () => ({ text: 'update telemetry.error_fingerprints set error_id = 1 returning fingerprint as id' }), expect: all(DENIED) },
    { name: 'delete every row', sql: () => ({ text: 'delete from telemetry.error_fingerprints returning fingerprint as id' }), expect: all(DENIED) },
  ],
}

/** The summary views: the reader's organization's rows, and the instance's to instance administrators. */
const TELEMETRY_VIEW_SPECS: TableSpec[] = TELEMETRY_VIEWS.map((view) => ({
  table: view,
  idColumn: 'organization_id',
  statements: [{
    name: 'select',
    sql: () => ({ text: `select coalesce(organization_id::text, 'instance') as id from ${view}` }),
    expect: view === 'telemetry.hourly_tool_usage' ? only(each(A_ACTIVE, ['A'])) : A_ACTIVE_AND_INSTANCE,
  }],
}))
/** Materialized views have no Row-Level Security: no runtime grant at all. */
const TELEMETRY_MATVIEW_SPECS: TableSpec[] = TELEMETRY_MATVIEWS.map((view) => ({
  table: view,
  statements: [{ name: 'select', sql: () => ({ text: `select organization_id::text as id from ${view}` }), expect: all(DENIED) }],
}))

export const TIME_SERIES_TABLES: TableSpec[] = [
  ...TABLES.map(tenantTable),
  ...MEMBER_WRITTEN.map(memberTable),
  ...TELEMETRY_LOGS,
  ERROR_FINGERPRINTS,
  ...TELEMETRY_VIEW_SPECS,
  ...TELEMETRY_MATVIEW_SPECS,
]
