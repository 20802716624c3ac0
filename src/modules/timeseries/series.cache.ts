import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import { seriesCacheRequests } from '../../platform/metrics.ts'

/**
 * How long a cached series answer may be served unless ingest into its range invalidates it
 * sooner: the system setting timeseries.cache_ttl_seconds, this by default.
 */
export const SERIES_CACHE_TTL_SECONDS = 60

export interface CacheContext {
  /** The snapshot the answer is computed from (or from a newer one: the check stays conservative). */
  snapshot: string
  /** ops.rollup_watermarks.updated_at of ts.aggregated_metrics: moves whenever the rollup consumed invalidations. */
  generation: string | null
}

export function cacheKey(orgId: string, metricId: string, normalized: unknown): { key: string; hash: string } {
  const hash = createHash('sha256').update(JSON.stringify(normalized)).digest('hex')
  return { key: `series:${orgId}:${metricId}:${hash}`, hash }
}

/**
 * The first statement of a metric series query: the metric (undefined when it does not exist
 * or RLS hides it), what a cached answer must be checked against later, and the time the
 * answer is "as of". One round trip instead of three.
 */
export async function seriesPrelude(db: Db, orgId: string, metricId: string): Promise<{ aggregationType: string; context: CacheContext; now: Date } | undefined> {
  const { rows } = await sql<{ aggregation_type: string; snapshot: string; generation: string | null; now: Date }>`
    select m.aggregation_type, pg_current_snapshot()::text as snapshot,
           -- As text: a Date would round the microseconds away and never compare equal again.
           (select w.updated_at::text from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics') as generation,
           statement_timestamp() as now
      from app.metrics m where m.organization_id = ${orgId} and m.id = ${metricId}`.execute(db)
  const row = rows[0]
  return row && { aggregationType: row.aggregation_type, context: { snapshot: row.snapshot, generation: row.generation }, now: row.now }
}

/**
 * A cached answer is served only if
 * - it has not expired;
 * - no pending invalidation of its metric overlapping its range comes from a batch its snapshot
 *   did not see (the batch committed after the answer was computed);
 * - the rollup has not consumed invalidations since (a consumed one is deleted, so the check
 *   above could no longer see it; the job also deletes the overlapping entries itself, but an
 *   answer being computed while it runs would escape that delete).
 */
export async function readCache(db: Db, key: string): Promise<unknown | undefined> {
  const { rows } = await sql<{ result_data: unknown }>`
    update ts.query_cache c set hits = c.hits + 1
     where c.cache_key = ${key} and c.expires_at > statement_timestamp()
       and c.rollup_generation is not distinct from (select w.updated_at from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics')
       and not exists (
         select 1 from ts.rollup_invalidations i
          where i.organization_id = c.organization_id and i.metric_id = c.metric_id
            and i.range_start < c.range_end and i.range_end >= c.range_start
            and not pg_visible_in_snapshot(i.xact_id, c.computed_snapshot))
    returning c.result_data`.execute(db)
  const hit = rows[0]
  seriesCacheRequests.inc({ outcome: hit ? 'hit' : 'miss' })
  return hit?.result_data
}

export async function writeCache(
  db: Db,
  entry: { orgId: string; metricId: string; key: string; hash: string; from: Date; to: Date; result: unknown; context: CacheContext; ttlSeconds: number },
): Promise<void> {
  await sql`
    insert into ts.query_cache (organization_id, metric_id, cache_key, query_hash, result_data, range_start, range_end, computed_snapshot, rollup_generation, expires_at)
    values (${entry.orgId}, ${entry.metricId}, ${entry.key}, ${entry.hash}, ${JSON.stringify(entry.result)}::jsonb, ${entry.from}, ${entry.to},
            ${entry.context.snapshot}::pg_snapshot, ${entry.context.generation}::timestamptz, statement_timestamp() + make_interval(secs => ${entry.ttlSeconds}))
    on conflict (cache_key) do update
      set result_data = excluded.result_data, computed_snapshot = excluded.computed_snapshot, rollup_generation = excluded.rollup_generation,
          expires_at = excluded.expires_at, created_at = now(), hits = 0`.execute(db)
}

export interface PerformanceLog {
  orgId: string
  kind: 'metric_series' | 'pipeline_series'
  metricId?: string
  pipelineId?: string
  executionMs: number
  rows: number
  cacheHit: boolean
  source: string
}

/** seed 000's query_performance_logs: one row per series query, hit or miss. */
export async function logQuery(db: Db, log: PerformanceLog): Promise<void> {
  await db
    .insertInto('telemetry.query_performance_logs')
    .values({
      organization_id: log.orgId,
      query_kind: log.kind,
      metric_id: log.metricId ?? null,
      pipeline_id: log.pipelineId ?? null,
      execution_time_ms: Math.max(0, Math.round(log.executionMs)),
      rows_returned: log.rows,
      cache_hit: log.cacheHit,
      source: log.source,
    })
    .execute()
}
