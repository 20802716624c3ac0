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
