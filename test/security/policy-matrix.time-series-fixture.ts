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
  }
}
