/** GET /api/v1/admin/database (src/modules/database-health/database-health.schema.ts). */

export type HealthStatus = 'OK' | 'WARNING' | 'CRITICAL'

/** A section's figures, or why it could not be read (the other sections still answer). */
export interface Section<T> {
  data: T | null
  error: string | null
}

export interface HealthCheck {
  metric: string
  value: number
  status: HealthStatus
  warningThreshold: number
  criticalThreshold: number
}

export interface TableStatistics {
  schema: string
  table: string
  partitions: number
  totalBytes: number
  tableBytes: number
  indexBytes: number
  toastBytes: number
  liveTuples: number
  deadTuples: number
  deadRatio: number | null
  bloatBytesEstimate: number
  inserts: number
  updates: number
  deletes: number
  seqScans: number
  indexScans: number
  lastVacuum: string | null
  lastAnalyze: string | null
}

export interface IndexStatistics {
  schema: string
  table: string
  index: string
  partitions: number
  scans: number
  tuplesRead: number
  tuplesFetched: number
  sizeBytes: number
  unique: boolean
  primary: boolean
  unused: boolean
}

export interface CacheFigure {
  hits: number
  reads: number
  ratio: number | null
}

export interface LongTransaction {
  pid: number
  database: string | null
  user: string | null
  application: string | null
  clientAddr: string | null
  backendType: string | null
  state: string | null
  transactionStart: string
  transactionSeconds: number
  querySeconds: number | null
  waitEvent: string | null
  query: string | null
}

export interface SlowQuery {
  queryId: string | null
  query: string
  calls: number
  totalMs: number
  meanMs: number
  maxMs: number
  stddevMs: number
  rows: number
  hitPercent: number | null
}

export interface Replica {
  name: string | null
  clientAddr: string | null
  state: string | null
  syncState: string | null
  lagBytes: number | null
  totalLagBytes: number | null
  replayLagSeconds: number | null
}

export interface PartitionCoverage {
  table: string
  granularity: string
  attached: number
  compressed: number
  detached: number
  oldestStart: string | null
  newestEnd: string | null
  status: HealthStatus
  problem: string | null
}

export interface DatabaseHealth {
  generatedAt: string
  overview: Section<{
    databaseName: string
    serverVersion: string
    sizeBytes: number
    activeConnections: number
    idleConnections: number
    slowQueries5s: number
    maxConnections: number
    statsResetAt: string | null
    monitorPrivileges: boolean
    privilegesHint: string | null
  }>
  healthCheck: Section<{ status: HealthStatus; checks: HealthCheck[] }>
  tables: Section<TableStatistics[]>
  indexes: Section<IndexStatistics[]>
  cacheHit: Section<{ tables: CacheFigure; indexes: CacheFigure; database: CacheFigure }>
  connections: Section<{ maxConnections: number; total: number; byState: Array<{ state: string; connections: number; inDatabase: number }> }>
  longTransactions: Section<{ minSeconds: number; transactions: LongTransaction[] }>
  slowQueries: Section<{ status: 'available' | 'not_installed' | 'not_loaded'; hint: string | null; queries: SlowQuery[] }>
  replication: Section<{ inRecovery: boolean; replayDelaySeconds: number | null; replicas: Replica[] }>
  partitions: Section<PartitionCoverage[]>
}
