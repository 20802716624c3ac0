import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Timestamp = Nullable(Type.String({ format: 'date-time' }))

export const HealthStatusSchema = Type.Union([Type.Literal('OK'), Type.Literal('WARNING'), Type.Literal('CRITICAL')])

/** One section of the page: its figures, or the error that stopped it (the other sections still answer). */
const Section = <T extends TSchema>(data: T) =>
  Type.Object({
    data: Nullable(data),
    error: Nullable(Type.String({ description: 'Why this section could not be read; null when it was' })),
  })

export const HealthCheck = Type.Object({
  metric: Type.String({ description: 'database_size_gb, active_connections, connection_usage_percent, oldest_transaction_minutes, replication_lag_bytes' }),
  value: Type.Number(),
  status: HealthStatusSchema,
  warningThreshold: Type.Number(),
  criticalThreshold: Type.Number(),
})

export const HealthCheckSummary = Type.Object({
  status: HealthStatusSchema,
  checks: Type.Array(HealthCheck),
})

const Overview = Type.Object({
  databaseName: Type.String(),
  serverVersion: Type.String(),
  sizeBytes: Type.Integer(),
  activeConnections: Type.Integer(),
  idleConnections: Type.Integer(),
  slowQueries5s: Type.Integer({ description: 'Statements active for more than 5 seconds (seed 004)' }),
  maxConnections: Type.Integer(),
  statsResetAt: Timestamp,
  monitorPrivileges: Type.Boolean({ description: 'Whether the statistics functions see every session and statement (tessera_definer has pg_monitor)' }),
  privilegesHint: Nullable(Type.String()),
})

const TableStatistics = Type.Object({
  schema: Type.String(),
  table: Type.String(),
  partitions: Type.Integer({ description: 'Partitions summed into this row; 0 for a plain table' }),
  totalBytes: Type.Integer(),
  tableBytes: Type.Integer(),
  indexBytes: Type.Integer(),
  toastBytes: Type.Integer(),
  liveTuples: Type.Integer(),
  deadTuples: Type.Integer(),
  deadRatio: Nullable(Type.Number({ description: 'dead / (live + dead); null for an empty table' })),
  bloatBytesEstimate: Type.Integer({ description: 'Heap bytes held by dead tuples until VACUUM' }),
  inserts: Type.Integer(),
  updates: Type.Integer(),
  deletes: Type.Integer(),
  seqScans: Type.Integer(),
  indexScans: Type.Integer(),
  lastVacuum: Timestamp,
  lastAnalyze: Timestamp,
})

const IndexStatistics = Type.Object({
  schema: Type.String(),
  table: Type.String(),
  index: Type.String(),
  partitions: Type.Integer(),
  scans: Type.Integer(),
  tuplesRead: Type.Integer(),
  tuplesFetched: Type.Integer(),
  sizeBytes: Type.Integer(),
  unique: Type.Boolean(),
  primary: Type.Boolean(),
  unused: Type.Boolean({ description: 'Fewer than 10 scans since the statistics were reset (seed 000), and not unique nor a primary key' }),
})

const CacheFigure = Type.Object({ hits: Type.Integer(), reads: Type.Integer(), ratio: Nullable(Type.Number({ description: '0–1; null before any block was read' })) })

const Connections = Type.Object({
  maxConnections: Type.Integer(),
  total: Type.Integer(),
  byState: Type.Array(Type.Object({ state: Type.String(), connections: Type.Integer(), inDatabase: Type.Integer() })),
})

const LongTransaction = Type.Object({
  pid: Type.Integer(),
  database: Nullable(Type.String()),
  user: Nullable(Type.String()),
  application: Nullable(Type.String()),
  clientAddr: Nullable(Type.String()),
  backendType: Nullable(Type.String()),
  state: Nullable(Type.String()),
  transactionStart: Type.String({ format: 'date-time' }),
  transactionSeconds: Type.Number(),
  querySeconds: Nullable(Type.Number()),
  waitEvent: Nullable(Type.String()),
  query: Nullable(Type.String({ description: 'For sessions of this database only' })),
})

const SlowQuery = Type.Object({
  queryId: Nullable(Type.String()),
  query: Type.String(),
  calls: Type.Integer(),
  totalMs: Type.Number(),
  meanMs: Type.Number(),
  maxMs: Type.Number(),
  stddevMs: Type.Number(),
  rows: Type.Integer(),
  hitPercent: Nullable(Type.Number()),
})

const SlowQueries = Type.Object({
  status: Type.Union([Type.Literal('available'), Type.Literal('not_installed'), Type.Literal('not_loaded')]),
  hint: Nullable(Type.String({ description: 'What to do to enable pg_stat_statements; null when it is available' })),
  queries: Type.Array(SlowQuery),
})

const Replica = Type.Object({
  name: Nullable(Type.String()),
  clientAddr: Nullable(Type.String()),
  state: Nullable(Type.String()),
  syncState: Nullable(Type.String()),
  lagBytes: Nullable(Type.Integer({ description: 'Sent but not yet replayed (seed 004)' })),
  totalLagBytes: Nullable(Type.Integer({ description: 'Written on the primary but not yet replayed' })),
  replayLagSeconds: Nullable(Type.Number()),
})

const Replication = Type.Object({
  inRecovery: Type.Boolean({ description: 'This server is itself a standby' }),
  replayDelaySeconds: Nullable(Type.Number({ description: 'On a standby: time since the last replayed transaction' })),
  replicas: Type.Array(Replica),
})

const PartitionCoverage = Type.Object({
  table: Type.String(),
  granularity: Type.String(),
  attached: Type.Integer(),
  compressed: Type.Integer(),
  detached: Type.Integer(),
  oldestStart: Timestamp,
  newestEnd: Timestamp,
  status: HealthStatusSchema,
  problem: Nullable(Type.String()),
})

export const DatabaseHealthResponse = Type.Object({
  generatedAt: Type.String({ format: 'date-time' }),
  overview: Section(Overview),
  healthCheck: Section(HealthCheckSummary),
  tables: Section(Type.Array(TableStatistics)),
  indexes: Section(Type.Array(IndexStatistics)),
  cacheHit: Section(Type.Object({ tables: CacheFigure, indexes: CacheFigure, database: CacheFigure })),
  connections: Section(Connections),
  longTransactions: Section(Type.Object({ minSeconds: Type.Number(), transactions: Type.Array(LongTransaction) })),
  slowQueries: Section(SlowQueries),
  replication: Section(Replication),
  partitions: Section(Type.Array(PartitionCoverage)),
})
export type DatabaseHealthResponse = Static<typeof DatabaseHealthResponse>
export type HealthCheckSummary = Static<typeof HealthCheckSummary>

export const DatabaseHealthQuery = Type.Object({
  longTransactionSeconds: Type.Number({ minimum: 0, maximum: 86_400, default: 60, description: 'List transactions open at least this long' }),
  slowQueryLimit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
})
