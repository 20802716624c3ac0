import type pg from 'pg'

/** Fixture rows of policy-matrix.time-series.ts (kept apart: the fixture imports this, not the specs). */

type Insert = (table: string, label: string, text: string, values: unknown[], idExpr?: string) => Promise<string>

/** One row of every time-series table in each organization, labelled A and B. */
export async function createTimeSeriesRows(insert: Insert, f: { orgA: string; orgB: string }): Promise<void> {
  for (const org of ['A', 'B'] as const) {
    const o = org === 'A' ? f.orgA : f.orgB
    const metric = await insert('app.metrics', org, 'insert into app.metrics (organization_id, name, display_name) values ($1, $2, $2)', [o, `metric_${org}`])
    await insert('app.kpis', org, "insert into app.kpis (organization_id, metric_id, name, target_value) values ($1, $2, 'Target', 10)", [o, metric])
    await insert('ts.time_series_data', org, 'insert into ts.time_series_data ("timestamp", metric_id, organization_id, value) values (now(), $2, $1, 1)', [o, metric], 'metric_id::text')
    await insert('ts.time_series_late', org, "insert into ts.time_series_late (\"timestamp\", metric_id, organization_id, value) values (now() - interval '400 days', $2, $1, 1)", [o, metric], 'metric_id::text')
    await insert('ts.rollup_invalidations', org, 'insert into ts.rollup_invalidations (organization_id, metric_id, range_start, range_end) values ($1, $2, now(), now())', [o, metric])
    await insert(
      'ts.time_series_segments',
      org,
      "insert into ts.time_series_segments (organization_id, metric_id, day, point_count, first_ts, last_ts, ts_deltas, \"values\", sum_value, min_value, max_value) values ($1, $2, current_date - 400, 1, now(), now(), '{0}', '{1}', 1, 1, 1)",
      [o, metric],
      'metric_id::text',
    )
    await insert(
      'ts.metric_idempotency_keys',
      org,
      "insert into ts.metric_idempotency_keys (organization_id, scope, idempotency_key, request_hash, response_status, response_body) values ($1, 'batch', $2, 'h', 200, '{}')",
      [o, `key_${org}`],
      'idempotency_key::text',
    )
    await insert(
      'ts.aggregated_metrics',
      org,
      "insert into ts.aggregated_metrics (organization_id, metric_id, aggregation_level, time_bucket, value, count, sum_value) values ($1, $2, 'hour', date_trunc('hour', now()), 1, 1, 1)",
      [o, metric],
    )
    await insert(
      'ts.query_cache',
      org,
      "insert into ts.query_cache (organization_id, metric_id, cache_key, query_hash, result_data, range_start, range_end, computed_snapshot, expires_at) values ($1, $2, $3, 'h', '{}', now(), now(), pg_current_snapshot(), now())",
      [o, metric, `matrix:${org}`],
    )
    await insert('telemetry.query_performance_logs', org, "insert into telemetry.query_performance_logs (organization_id, query_kind, execution_time_ms) values ($1, 'metric_series', 1)", [o])
  }
}

/** The summary views of 0181 over the telemetry logs, read by the runtime role. */
export const TELEMETRY_VIEWS = ['telemetry.hourly_tool_usage', 'telemetry.daily_errors', 'telemetry.metrics_summary'] as const
/** The materialized views behind them, which the runtime role may not touch. */
export const TELEMETRY_MATVIEWS = ['telemetry.hourly_tool_usage_summary', 'telemetry.daily_error_summary', 'telemetry.performance_metrics_summary'] as const

/**
 * One row of every telemetry log in each organization (labelled A and B) and, where a log has
 * instance-level rows, one of the instance (labelled instance); then the summary views are
 * refreshed and their rows labelled by organization.
 */
export async function createTelemetryRows(admin: pg.Client, insert: Insert, add: (table: string, label: string, id: string) => void, f: { orgA: string; orgB: string }): Promise<void> {
  const orgs: Array<[string, string | null]> = [['A', f.orgA], ['B', f.orgB], ['instance', null]]
  for (const [label, o] of orgs) {
    if (o) {
      await insert('telemetry.tool_usage_logs', label, "insert into telemetry.tool_usage_logs (organization_id, execution_id, bcp_name, tool_name, operation, duration_ms, success) values ($1, $2, 'crm', 'search', 'read', 5, true)", [o, `exec-${label}`])
    }
    const errorId = await insert('telemetry.error_logs', label, "insert into telemetry.error_logs (organization_id, level, message) values ($1, 'error', 'failed')", [o])
    await insert('telemetry.error_fingerprints', label, 'insert into telemetry.error_fingerprints (organization_id, fingerprint, error_id, error_timestamp) values ($1, $2, $3, now())', [o, `fp-${label}`, errorId], 'fingerprint')
    await insert('telemetry.performance_metrics', label, "insert into telemetry.performance_metrics (organization_id, metric_name, metric_value, aggregation_period) values ($1, 'latency', 1, '1m')", [o])
  }
  await admin.query('select * from ops.refresh_analytics_views()')
  const matviewOf: Record<(typeof TELEMETRY_VIEWS)[number], string> = {
    'telemetry.hourly_tool_usage': 'telemetry.hourly_tool_usage_summary',
    'telemetry.daily_errors': 'telemetry.daily_error_summary',
    'telemetry.metrics_summary': 'telemetry.performance_metrics_summary',
  }
  for (const view of TELEMETRY_VIEWS) {
    const { rows } = await admin.query<{ org: string | null }>(`select organization_id::text as org from ${matviewOf[view]}`)
    for (const row of rows) {
      const label = row.org === f.orgA ? 'A' : row.org === f.orgB ? 'B' : row.org === null ? 'instance' : `org ${row.org}`
      add(view, label, row.org ?? 'instance')
    }
  }
}
