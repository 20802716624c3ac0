import { randomUUID } from 'node:crypto'
import type { TableSpec } from './policy-matrix.dsl.ts'
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
    table: 'ts.time_series_segments',
    idColumn: 'metric_id',
    newRow: (f, org) => ({
      text: withMetric(
        "insert into ts.time_series_segments (organization_id, metric_id, day, point_count, first_ts, last_ts, ts_deltas, \"values\", sum_value, min_value, max_value) select organization_id, id, current_date - 400, 1, now(), now(), '{0}', '{2}', 2, 2, 2 from m returning metric_id::text as id",
      ),
      values: [orgId(f, org), `metric_${unique()}`],
    }),
  },
]

export const TIME_SERIES_TABLES: TableSpec[] = TABLES.map(tenantTable)
