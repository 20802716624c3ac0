import { performance } from 'node:perf_hooks'
import type { Db } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { AGGREGATIONS, MAX_RANGE_MS, checkTimeZone, invalidRange, resolveBucket, type Aggregation } from './series.buckets.ts'
import { cacheKey, logQuery, readCache, seriesPrelude, writeCache } from './series.cache.ts'
import { seriesRows, type SeriesQuery, type SeriesRow } from './series.repository.ts'
import type { SeriesQuerystring, SeriesResponse, SeriesSource } from './series.schema.ts'

/** Parses `dim:value,dim2:value2` (the value may itself contain colons). */
export function parseFilter(filter: string | undefined): Record<string, string> {
  const result: Record<string, string> = {}
  for (const part of (filter ?? '').split(',').filter((item) => item.trim() !== '')) {
    const colon = part.indexOf(':')
    if (colon <= 0) {
      throw new AppError('validation_failed', 400, 'filter takes dimension:value pairs separated by commas', {
        details: [{ field: 'querystring.filter', message: 'expected dimension:value' }],
      })
    }
    result[part.slice(0, colon).trim()] = part.slice(colon + 1).trim()
  }
  return result
}

/** The querystring, or a widget's query whose filters arrive already as dimension → value. */
export type SeriesInput = SeriesQuerystring & { filters?: Record<string, string> }

/** Checks the range and resolves bucket, agg and tz: the normalized query, also the cache key's input. */
export function normalize(orgId: string, metricId: string, input: SeriesInput, defaultAgg: Aggregation): SeriesQuery {
  const to = input.to ? new Date(input.to) : new Date()
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - 24 * 3_600_000)
  if (!(from.getTime() < to.getTime())) {
    throw invalidRange('from must be before to')
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw invalidRange('the range may span at most five years')
  }
  const filter = input.filters ?? parseFilter(input.filter)
  return {
    orgId,
    metricId,
    from,
    to,
    bucket: resolveBucket(input.bucket ?? 'auto', from, to),
    tz: checkTimeZone(input.tz ?? 'UTC'),
    agg: input.agg ?? defaultAgg,
    groupBy: input.groupBy,
    filter: Object.fromEntries(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b))),
  }
}

export function sourceOf(rows: SeriesRow[]): SeriesSource {
  const sources = new Set(rows.flatMap((row) => row.sources))
  if (sources.size === 1) {
    return [...sources][0] as SeriesSource
  }
  // An empty answer read nothing from storage: it is what the raw data says.
  return sources.size === 0 ? 'raw' : 'mixed'
}

export function toResponse(q: SeriesQuery, rows: SeriesRow[], asOf: Date): Omit<SeriesResponse, 'cache'> {
  return {
    bucket: q.bucket,
    agg: q.agg,
    source: sourceOf(rows),
    asOf: asOf.toISOString(),
    points: rows.map((row) => ({
      t: row.t.toISOString(),
      value: row.value,
      count: Number(row.count),
      min: row.min,
      max: row.max,
      ...(q.groupBy === undefined ? {} : { group: row.grp }),
    })),
  }
}

/**
 * A metric's series: from the cache when a valid entry exists, else from the engine (rollups,
 * raw, late and compressed storage), then cached. Every query is logged with its duration.
 */
export async function metricSeries(db: Db, actor: OrgActor, metricId: string, input: SeriesInput, cacheTtlSeconds: number): Promise<SeriesResponse> {
  const started = performance.now()
  const prelude = await seriesPrelude(db, actor.orgId, metricId)
  if (!prelude) {
    throw notFound('metric')
  }
  const defaultAgg = (AGGREGATIONS as readonly string[]).includes(prelude.aggregationType) ? (prelude.aggregationType as Aggregation) : 'sum'
  const q = normalize(actor.orgId, metricId, input, defaultAgg)
  const { key, hash } = cacheKey(actor.orgId, metricId, { ...q, from: q.from.toISOString(), to: q.to.toISOString() })
  const cached = (await readCache(db, key)) as Omit<SeriesResponse, 'cache'> | undefined
  let answer: Omit<SeriesResponse, 'cache'>
  if (cached) {
    answer = cached
  } else {
    answer = toResponse(q, await seriesRows(db, q), prelude.now)
    // A lifetime of 0 turns the cache off: nothing would ever be served from the entry.
    if (cacheTtlSeconds > 0) await writeCache(db, { orgId: actor.orgId, metricId, key, hash, from: q.from, to: q.to, result: answer, context: prelude.context, ttlSeconds: cacheTtlSeconds })
  }
  await logQuery(db, {
    orgId: actor.orgId,
    kind: 'metric_series',
    metricId,
    executionMs: performance.now() - started,
    rows: answer.points.length,
    cacheHit: cached !== undefined,
    source: answer.source,
  })
  return { ...answer, cache: cached ? 'hit' : 'miss' }
}
