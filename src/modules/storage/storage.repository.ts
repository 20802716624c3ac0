import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import type { StorageResponse } from './storage.schema.ts'

/**
 * The Storage page's reads. Sizes come from the catalogs (pg_total_relation_size counts
 * indexes and TOAST); segment totals and the series cache figures cross organizations, so
 * they go through private functions that answer instance administrators only.
 */

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value))
const ms = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10)

/**
 * The series query cache across organizations, through private.series_cache_statistics() and
 * private.series_cache_totals() (0170): aggregates only, instance administrators only.
 */
async function readSeriesCache(db: Db): Promise<StorageResponse['seriesCache']> {
  const periods = await sql<{ period: '1h' | '24h'; hits: string; misses: string; median_ms: number | null; p95_ms: number | null }>`
    select period, hits, misses, median_ms, p95_ms from private.series_cache_statistics()`.execute(db)
  const totals = await sql<{ entries: string; live_entries: string; bytes: string }>`
    select entries, live_entries, bytes from private.series_cache_totals()`.execute(db)
  const total = totals.rows[0]
  return {
    periods: periods.rows.map((p) => {
      const hits = Number(p.hits)
      const lookups = hits + Number(p.misses)
      return { period: p.period, hits, misses: Number(p.misses), hitRate: lookups === 0 ? null : hits / lookups, medianMs: ms(p.median_ms), p95Ms: ms(p.p95_ms) }
    }),
    entries: Number(total?.entries ?? 0),
    liveEntries: Number(total?.live_entries ?? 0),
    bytes: Number(total?.bytes ?? 0),
  }
}

export async function readStorage(db: Db): Promise<StorageResponse> {
  const partitions = await sql<{ parent_table: string; partition_table: string; range_start: Date; range_end: Date; granularity: string; state: string; bytes: string | null; tuples: number | null }>`
    select p.parent_table, p.partition_table, p.range_start, p.range_end, p.granularity, p.state,
           pg_total_relation_size(to_regclass(p.partition_table)) as bytes,
           (select c.reltuples from pg_class c where c.oid = to_regclass(p.partition_table)) as tuples
      from ops.partitions p
     order by p.parent_table, p.range_start desc`.execute(db)
  const segments = await sql<{ day: string; series: string; points: string; compressed_bytes: string; raw_bytes_estimate: string }>`
    select to_char(day, 'YYYY-MM-DD') as day, series, points, compressed_bytes, raw_bytes_estimate from private.storage_segment_totals()`.execute(db)
  const policies = await sql<{ table_name: string; relation: string | null; retention_days: number; archive_before_delete: boolean | null; cleanup_enabled: boolean | null; last_cleanup: Date | null; last_cleanup_count: string | null; last_cleanup_duration_ms: number | null; table_exists: boolean }>`
    select p.*, to_regclass(coalesce(p.relation, p.table_name)) is not null as table_exists
      from ops.data_retention_policies p order by p.table_name`.execute(db)
  const runs = await sql<{ id: string; job: string; started_at: Date; duration_ms: number; outcome: string; details: unknown; error: string | null }>`
    -- Every-minute jobs are recorded too: the latest run of each job, plus the failures of the
    -- last week, rather than the newest 50 rows (an hour of ts:rollup alone).
    select * from (
      select distinct on (r.job) r.id, r.job, r.started_at, r.duration_ms, r.outcome, r.details, r.error
        from ops.maintenance_runs r order by r.job, r.started_at desc
    ) latest
    union
    select r.id, r.job, r.started_at, r.duration_ms, r.outcome, r.details, r.error
      from ops.maintenance_runs r where r.outcome = 'failed' and r.started_at > now() - interval '7 days'
     order by started_at desc limit 100`.execute(db)
  const rollup = await sql<{ watermark: Date | null; lag: string | null }>`
    select case when w.watermark = '-infinity' then null else w.watermark end as watermark,
           case when w.watermark = '-infinity' then null else extract(epoch from now() - w.watermark) end as lag
      from ops.rollup_watermarks w where w.name = 'ts.aggregated_metrics'`.execute(db)

  return {
    partitions: partitions.rows.map((p) => ({
      table: p.parent_table,
      partition: p.partition_table,
      rangeStart: p.range_start.toISOString(),
      rangeEnd: p.range_end.toISOString(),
      granularity: p.granularity,
      state: p.state,
      totalBytes: num(p.bytes),
      // reltuples is -1 before the first ANALYZE.
      rowsEstimate: p.tuples === null || p.tuples < 0 ? null : Math.round(p.tuples),
    })),
    segments: segments.rows.map((s) => ({
      day: s.day,
      series: Number(s.series),
      points: Number(s.points),
      compressedBytes: Number(s.compressed_bytes),
      ratio: Number(s.compressed_bytes) > 0 ? Math.round((Number(s.raw_bytes_estimate) / Number(s.compressed_bytes)) * 10) / 10 : 0,
    })),
    retentionPolicies: policies.rows.map((p) => ({
      tableName: p.table_name,
      relation: p.relation,
      retentionDays: p.retention_days,
      archiveBeforeDelete: p.archive_before_delete ?? true,
      cleanupEnabled: p.cleanup_enabled ?? true,
      lastCleanup: p.last_cleanup?.toISOString() ?? null,
      lastCleanupCount: Number(p.last_cleanup_count ?? 0),
      lastCleanupDurationMs: p.last_cleanup_duration_ms,
      tableExists: p.table_exists,
    })),
    seriesCache: await readSeriesCache(db),
    runs: runs.rows.map((r) => ({ id: Number(r.id), job: r.job, startedAt: r.started_at.toISOString(), durationMs: r.duration_ms, outcome: r.outcome, details: r.details, error: r.error })),
    // Omitted until the rollup engine's watermark row exists (0120).
    ...(rollup.rows[0] ? { rollup: { watermark: rollup.rows[0].watermark?.toISOString() ?? null, lagSeconds: num(rollup.rows[0].lag) } } : {}),
  }
}
