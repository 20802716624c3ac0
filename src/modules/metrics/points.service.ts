import { sql } from 'kysely'
import type { Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import { findMetric } from './metrics.repository.ts'
import type { PointError, PointsResponse } from './metrics.schema.ts'
import { insertPoints, type NewPoint } from './points.write.ts'

export interface PointsBatch {
  /** POST …/metrics/{metricId}/points; undefined for the many-metrics endpoint (each point names its metric). */
  metricId: string | undefined
  records: unknown[]
  /** SHA-256 of the (decompressed) body. */
  bodyHash: string
  idempotencyKey: string | undefined
  atomic: boolean
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** An ISO 8601 string or epoch milliseconds; anything else (and impossible dates) is undefined. */
export function parseTimestamp(value: unknown): Date | undefined {
  const date = typeof value === 'number' ? new Date(value) : typeof value === 'string' && ISO_DATE.test(value.trim()) ? new Date(value.trim()) : undefined
  return date && Number.isFinite(date.getTime()) ? date : undefined
}

interface MetricRef {
  id: string
  name: string
  is_active: boolean
}

/** The metrics a many-metrics batch names, by id or by name, in one query. */
async function resolveMetrics(trx: Trx, orgId: string, refs: string[]): Promise<Map<string, MetricRef>> {
  const ids = refs.filter((ref) => UUID.test(ref)).map((ref) => ref.toLowerCase())
  const { rows } = await sql<MetricRef>`
    select id::text, name, is_active from app.metrics
     where organization_id = ${orgId} and (id = any(${ids}::uuid[]) or name = any(${refs}::text[]))`.execute(trx)
  const byRef = new Map<string, MetricRef>()
  for (const row of rows) {
    byRef.set(row.id, row)
    byRef.set(row.name, row)
  }
  return byRef
}

async function lockKey(trx: Trx, orgId: string, scope: string, key: string): Promise<boolean> {
  // Held to the end of the transaction: a second request with the key while this one is
  // uncommitted answers 409 at once; one after the commit finds the stored answer.
  const { rows } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(hashtextextended(${`metric-idempotency:${orgId}:${scope}:${key}`}, 0)) as locked`.execute(trx)
  return rows[0]?.locked ?? false
}

async function storedAnswer(trx: Trx, orgId: string, scope: string, key: string) {
  const { rows } = await sql<{ request_hash: string; response_body: PointsResponse }>`
    select request_hash, response_body from ts.metric_idempotency_keys
     where organization_id = ${orgId} and scope = ${scope} and idempotency_key = ${key}`.execute(trx)
  return rows[0]
}

/**
 * Stores one batch of pushed points in the caller's tenant transaction and returns the answer
 * to send once it commits: the metric (404), the Idempotency-Key (409 in flight, replay or
 * 422 reused), an inactive metric (409), each point's shape, then insertPoints. With `atomic`
 * any invalid point answers 422 and, the transaction rolling back, nothing is stored.
 */
export async function pushPoints(trx: Trx, orgId: string, batch: PointsBatch): Promise<{ body: PointsResponse; replayed: boolean }> {
  const single = batch.metricId !== undefined ? await findMetric(trx, orgId, batch.metricId) : undefined
  if (batch.metricId !== undefined && !single) {
    throw notFound('metric')
  }
  const scope = batch.metricId ?? 'batch'
  if (batch.idempotencyKey !== undefined) {
    if (!(await lockKey(trx, orgId, scope, batch.idempotencyKey))) {
      throw new AppError('idempotency_key_in_flight', 409, 'A request with this Idempotency-Key is still being processed; retry once it has finished', {
        headers: { 'retry-after': '1' },
      })
    }
    const stored = await storedAnswer(trx, orgId, scope, batch.idempotencyKey)
    if (stored) {
      if (stored.request_hash !== batch.bodyHash) {
        throw new AppError('idempotency_key_reused', 422, 'This Idempotency-Key was used for a different body; use a new key for a new batch')
      }
      return { body: stored.response_body, replayed: true }
    }
  }
  let metrics: Map<string, MetricRef> | undefined
  if (single) {
    if (!single.is_active) {
      throw new AppError('metric_inactive', 409, 'The metric is inactive; activate it to push points')
    }
  } else {
    const refs = batch.records.flatMap((r) => (isObject(r) && typeof r.metric === 'string' ? [r.metric] : []))
    metrics = await resolveMetrics(trx, orgId, [...new Set(refs)])
  }

  const errors: PointError[] = []
  const points: NewPoint[] = []
  const indexes: number[] = []
  batch.records.forEach((record, index) => {
    const fail = (code: string, message: string) => errors.push({ index, code, message })
    if (!isObject(record)) {
      return fail('invalid_point', 'A point is an object {timestamp, value, dimensions?}')
    }
    let metricId = batch.metricId
    if (metrics) {
      const ref = typeof record.metric === 'string' ? metrics.get(UUID.test(record.metric) ? record.metric.toLowerCase() : record.metric) : undefined
      if (!ref) {
        return fail('unknown_metric', typeof record.metric === 'string' ? `No metric "${record.metric}" in this organization` : 'metric (an id or a name) is required')
      }
      if (!ref.is_active) {
        return fail('metric_inactive', `The metric "${ref.name}" is inactive`)
      }
      metricId = ref.id
    }
    const timestamp = parseTimestamp(record.timestamp)
    if (!timestamp) {
      return fail('invalid_timestamp', 'timestamp must be an ISO 8601 date-time (or epoch milliseconds)')
    }
    if (record.value === undefined || record.value === null || (typeof record.value !== 'number' && typeof record.value !== 'string')) {
      return fail('invalid_value', 'value must be a finite number')
    }
    if (record.dimensions !== undefined && record.dimensions !== null && !isObject(record.dimensions)) {
      return fail('invalid_point', 'dimensions must be an object of name → value')
    }
    points.push({ metricId: metricId!, timestamp, value: record.value, dimensions: (record.dimensions as Record<string, unknown> | undefined) ?? {} })
    indexes.push(index)
  })
  const result = await insertPoints(trx, orgId, points)
  for (const rejection of result.rejected) {
    errors.push({ index: indexes[rejection.index]!, code: rejection.code, message: rejection.message })
  }
  errors.sort((a, b) => a.index - b.index)
  if (batch.atomic && errors.length > 0) {
    throw new AppError('validation_failed', 422, `${errors.length} of ${batch.records.length} points are invalid; with atomic=true nothing was stored`, { details: errors })
  }
  const body: PointsResponse = { accepted: result.stored, rejected: errors.length, late: result.late, errors }
  if (batch.idempotencyKey !== undefined) {
    await sql`
      insert into ts.metric_idempotency_keys (organization_id, scope, idempotency_key, request_hash, response_status, response_body)
      values (${orgId}, ${scope}, ${batch.idempotencyKey}, ${batch.bodyHash}, 200, ${JSON.stringify(body)}::jsonb)`.execute(trx)
  }
  return { body, replayed: false }
}
