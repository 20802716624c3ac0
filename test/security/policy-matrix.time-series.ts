import { randomUUID } from 'node:crypto'
import { A_ACTIVE, DENIED, NEW, all, each, only, type TableSpec } from './policy-matrix.dsl.ts'
import { orgId, tenantTable, type TenantTable } from './policy-matrix.ingest.ts'

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

function memberTable({ table, idColumn = 'id', newRow }: TenantTable): TableSpec {
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

export const TIME_SERIES_TABLES: TableSpec[] = [...TABLES.map(tenantTable), ...MEMBER_WRITTEN.map(memberTable)]
