import type pino from 'pino'
import { withContext } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { testConnection, type CheckResult, type HealthStatus } from './data-sources.checks.ts'
import { sourcesForHealthCheck } from './data-sources.repository.ts'
import { recordCheck } from './data-sources.service.ts'
import { loadDataSourceForRun } from './fetch-source.ts'

/** Sources tested at once: enough to finish a large instance within the 5-minute period. */
const CONCURRENCY = 4

export type HealthSummary = Record<HealthStatus | 'skipped', number>

/**
 * data-sources:health (every 5 minutes). Enumerating sources across organizations is the
 * only cross-tenant step and goes through private.data_sources_for_health_check(); each
 * source is then loaded and updated in a tenant transaction as its creator (or an owner),
 * so RLS applies as for a person pressing "Test connection". The probe itself runs outside
 * any transaction. Safe to retry: it only overwrites health columns.
 */
export async function runDataSourceHealthChecks(services: Services, logger: pino.Logger): Promise<HealthSummary> {
  const sources = await sourcesForHealthCheck(services.db)
  const summary: HealthSummary = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0, skipped: 0 }
  let next = 0
  const worker = async () => {
    while (next < sources.length) {
      const { id, organization_id: orgId, acting_user_id: userId } = sources[next++]!
      if (!userId) {
        // No active member can act for the organization any more.
        summary.skipped++
        continue
      }
      const context = { orgId, userId, requestId: 'job:data-sources:health' }
      let result: CheckResult
      try {
        const source = await withContext(services.db, context, (trx) => loadDataSourceForRun(trx, orgId, id, services.box))
        result = await testConnection(services, source)
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') {
          summary.skipped++ // deleted since the list was read
          continue
        }
        logger.warn({ job: 'data-sources:health', dataSourceId: id, orgId, err: error }, 'data source could not be loaded')
        result = { ok: false, latencyMs: 0, details: {}, error: `The source could not be loaded: ${(error as Error).message}`, health: 'unhealthy' }
      }
      await withContext(services.db, context, (trx) => recordCheck(trx, orgId, id, result))
      summary[result.health]++
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sources.length) }, worker))
  return summary
}
