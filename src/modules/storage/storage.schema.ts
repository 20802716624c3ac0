import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()])

export const StoragePartition = Type.Object({
  table: Type.String(),
  partition: Type.String(),
  rangeStart: Type.String({ format: 'date-time' }),
  rangeEnd: Type.String({ format: 'date-time' }),
  granularity: Type.String(),
  state: Type.String({ description: 'attached, compressed (rows in ts.time_series_segments, table dropped), detached or dropped' }),
  totalBytes: Nullable(Type.Integer({ description: 'Table, indexes and TOAST; null once the table is gone' })),
  rowsEstimate: Nullable(Type.Integer({ description: 'pg_class.reltuples (as of the last ANALYZE); null when unknown' })),
})

export const SegmentDay = Type.Object({
  day: Type.String({ format: 'date' }),
  series: Type.Integer(),
  points: Type.Integer(),
  compressedBytes: Type.Integer(),
  ratio: Type.Number({ description: 'Estimated bytes of the points as raw rows / bytes of their segments' }),
})

export const RetentionPolicy = Type.Object({
  tableName: Type.String(),
  relation: Nullable(Type.String()),
  retentionDays: Type.Integer(),
  archiveBeforeDelete: Type.Boolean(),
  cleanupEnabled: Type.Boolean(),
  lastCleanup: Nullable(Type.String({ format: 'date-time' })),
  lastCleanupCount: Type.Integer(),
  lastCleanupDurationMs: Nullable(Type.Integer()),
  tableExists: Type.Boolean(),
})

export const MaintenanceRun = Type.Object({
  id: Type.Integer(),
  job: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer(),
  outcome: Type.String({ description: 'succeeded, failed or skipped (another run held the lock)' }),
  details: Type.Unknown(),
  error: Nullable(Type.String()),
})

export const CachePeriod = Type.Object({
  period: Type.Union([Type.Literal('1h'), Type.Literal('24h')]),
  hits: Type.Integer(),
  misses: Type.Integer(),
  hitRate: Nullable(Type.Number({ description: 'hits / (hits + misses), 0–1; null when no series query ran' })),
  medianMs: Nullable(Type.Number({ description: 'Median series query time (hits and misses), from telemetry.query_performance_logs' })),
  p95Ms: Nullable(Type.Number()),
})

export const SeriesCache = Type.Object({
  periods: Type.Array(CachePeriod, { description: 'The last hour and the last 24 hours of metric series queries, all organizations' }),
  entries: Type.Integer({ description: 'Rows in ts.query_cache' }),
  liveEntries: Type.Integer({ description: 'Of those, the ones not expired yet (the others are deleted every minute)' }),
  bytes: Type.Integer({ description: 'Bytes of the entries as stored (results TOAST-compressed)' }),
})

export const StorageResponse = Type.Object({
  partitions: Type.Array(StoragePartition),
  segments: Type.Array(SegmentDay),
  retentionPolicies: Type.Array(RetentionPolicy),
  runs: Type.Array(MaintenanceRun),
  seriesCache: SeriesCache,
  rollup: Type.Optional(Type.Object({
    watermark: Nullable(Type.String({ format: 'date-time' })),
    lagSeconds: Nullable(Type.Number({ description: 'now() minus the rollup watermark of ts.aggregated_metrics' })),
  })),
})
export type StorageResponse = Static<typeof StorageResponse>
