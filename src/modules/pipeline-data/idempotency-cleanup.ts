import type { Services } from '../../platform/services.ts'
import { cleanupIdempotencyKeys } from './pipeline-data.repository.ts'

/**
 * ingest:idempotency-cleanup (hourly): completed Idempotency-Keys older than
 * ingest.idempotency_ttl_hours (a replay after that stores the batch again), and keys left
 * in flight for over an hour by a request that never finished.
 */

const HOUR_MS = 60 * 60 * 1000
const IN_FLIGHT_ABANDONED_MS = HOUR_MS
const BATCH = 10_000

export async function runIdempotencyCleanup(services: Pick<Services, 'db' | 'settings'>, now = new Date()): Promise<number> {
  const ttlHours = await services.settings.integer('ingest.idempotency_ttl_hours', 24)
  const completedBefore = new Date(now.getTime() - ttlHours * HOUR_MS)
  const inFlightBefore = new Date(now.getTime() - IN_FLIGHT_ABANDONED_MS)
  let total = 0
  for (;;) {
    const deleted = await cleanupIdempotencyKeys(services.db, completedBefore, inFlightBefore, BATCH)
    total += deleted
    if (deleted < BATCH) {
      return total
    }
  }
}
