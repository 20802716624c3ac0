import type { Db } from '../../platform/db.ts'
import type { Period } from './performance-metrics.schema.ts'

/**
 * Instance-level rows (organization_id null) of telemetry.performance_metrics; the read policy
 * shows them to instance administrators only. idx_performance_metrics_period_time serves the
 * period and time bounds.
 */
export function listInstanceMetricRows(db: Db, filter: { period: Period; from: Date; to: Date; names: string[] | undefined }) {
  let query = db
    .selectFrom('telemetry.performance_metrics')
    .select(['metric_name', 'labels', 'unit', 'timestamp', 'metric_value'])
    .where('organization_id', 'is', null)
    .where('aggregation_period', '=', filter.period)
    .where('timestamp', '>=', filter.from)
    .where('timestamp', '<', filter.to)
  if (filter.names) {
    query = query.where('metric_name', 'in', filter.names)
  }
  return query.orderBy('metric_name').orderBy('timestamp').execute()
}

/** Start of the newest bucket of the period (what the charts are "as of"). */
export async function newestBucket(db: Db, period: Period): Promise<Date | null> {
  const row = await db
    .selectFrom('telemetry.performance_metrics')
    .select((eb) => eb.fn.max('timestamp').as('newest'))
    .where('organization_id', 'is', null)
    .where('aggregation_period', '=', period)
    .executeTakeFirst()
  return row?.newest ? new Date(row.newest) : null
}
