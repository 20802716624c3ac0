import { sql } from 'kysely'
import type pino from 'pino'
import { withContext, type Db } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { fetchFromSource, loadDataSourceForRun } from '../data-sources/fetch-source.ts'
import { findMetric } from './metrics.repository.ts'
import { parseTimestamp } from './points.service.ts'
import { insertPoints, type NewPoint } from './points.write.ts'

/** Metrics calculated per job run; the next run (every minute) takes the rest, oldest first. */
const BATCH = 50
/** A calculation is one aggregate query: a few rows, quickly. */
const STATEMENT_TIMEOUT_MS = 30_000
const MAX_ROWS = 10_000

export interface CalculationSummary {
  calculated: number
  failed: number
  skipped: number
}

async function record(db: Db, orgId: string, metricId: string, error: string | null): Promise<void> {
  await sql`update app.metrics set last_calculated_at = now(), last_calculation_error = ${error}
             where organization_id = ${orgId} and id = ${metricId}`.execute(db)
}

/**
 * metrics:calculate (every minute): each active 'data_source' metric whose refresh_frequency
 * has elapsed runs its calculation_method on its SQL source (read-only, statement timeout,
 * row cap: fetchSqlPages) and stores the rows as points: column `value`, optional
 * `timestamp` (else now), every other column a dimension. The due metrics are enumerated
 * across organizations by private.metrics_due_for_calculation (the only cross-tenant step);
 * loading, storing and recording the outcome run in tenant transactions as a member acting
 * for the organization, so RLS applies. The query itself runs outside any transaction.
 * Safe to retry: a failed run stores nothing and is recorded, the next one tries again.
 */
export async function runMetricCalculations(services: Services, logger: pino.Logger, now = new Date()): Promise<CalculationSummary> {
  const { rows: due } = await sql<{ metric_id: string; organization_id: string; acting_user_id: string | null }>`
    select * from private.metrics_due_for_calculation(${now.toISOString()}::timestamptz, ${BATCH})`.execute(services.db)
  const summary: CalculationSummary = { calculated: 0, failed: 0, skipped: 0 }
  for (const { metric_id: metricId, organization_id: orgId, acting_user_id: userId } of due) {
    if (!userId) {
      summary.skipped++ // no active member can act for the organization any more
      continue
    }
    const context = { orgId, userId, requestId: 'job:metrics:calculate' }
    try {
      const loaded = await withContext(services.db, context, async (trx) => {
        const metric = await findMetric(trx, orgId, metricId)
        return metric?.data_source_id ? { metric, source: await loadDataSourceForRun(trx, orgId, metric.data_source_id, services.box) } : undefined
      })
      if (!loaded) {
        summary.skipped++
        continue
      }
      const points: NewPoint[] = []
      const at = new Date()
      for await (const page of fetchFromSource(services, loaded.source, { query: loaded.metric.calculation_method, statementTimeoutMs: STATEMENT_TIMEOUT_MS, maxRecords: MAX_ROWS })) {
        for (const row of page.records as Array<Record<string, unknown>>) {
          const { value, timestamp, ...dimensions } = row
          points.push({ metricId, timestamp: timestamp === undefined || timestamp === null ? at : (parseTimestamp(timestamp) ?? new Date(Number.NaN)), value: value as number | string, dimensions })
        }
      }
      const result = await withContext(services.db, context, async (trx) => {
        const stored = await insertPoints(trx, orgId, points)
        const first = stored.rejected[0]
        await record(trx, orgId, metricId, first ? `${stored.rejected.length} of ${points.length} rows were not stored; row ${first.index + 1}: ${first.message}` : null)
        return stored
      })
      summary.calculated++
      logger.info({ job: 'metrics:calculate', metricId, orgId, points: result.stored, rejected: result.rejected.length }, 'metric calculated')
    } catch (error) {
      summary.failed++
      const message = (error as Error).message.slice(0, 2000)
      logger.warn({ job: 'metrics:calculate', metricId, orgId, err: error }, 'metric calculation failed')
      await withContext(services.db, context, (trx) => record(trx, orgId, metricId, message))
    }
  }
  return summary
}

const HOUR_MS = 3_600_000
const CLEANUP_BATCH = 10_000

/**
 * metrics:idempotency-cleanup (hourly): Idempotency-Keys of the metric points API older than
 * ingest.idempotency_ttl_hours, the lifetime the ingest API's keys have too (a replay after
 * that stores the batch again). A key is written with its batch, in its transaction, so there
 * is no in-flight state to expire. Across organizations through
 * private.cleanup_metric_idempotency_keys (0160): keys hold no stored data, only an answer.
 */
export async function runMetricIdempotencyCleanup(services: Pick<Services, 'db' | 'settings'>, now = new Date()): Promise<number> {
  const ttlHours = await services.settings.integer('ingest.idempotency_ttl_hours', 24)
  const before = new Date(now.getTime() - ttlHours * HOUR_MS)
  let total = 0
  for (;;) {
    const { rows } = await sql<{ deleted: number }>`
      select private.cleanup_metric_idempotency_keys(${before.toISOString()}::timestamptz, ${CLEANUP_BATCH}) as deleted`.execute(services.db)
    const deleted = rows[0]?.deleted ?? 0
    total += deleted
    if (deleted < CLEANUP_BATCH) {
      return total
    }
  }
}
