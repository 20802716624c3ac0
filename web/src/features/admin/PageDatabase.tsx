import { useState } from 'react'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { ConnectionsSection, LongTransactionsSection, PartitionsSection, ReplicationSection, SlowQueriesSection } from './database/ActivitySections.tsx'
import type { DatabaseHealth } from './database/api.ts'
import { formatCount, formatMetric, HealthBadge, METRIC_LABELS, SectionCard, thresholdText } from './database/format.tsx'
import { IndexesSection, TablesSection } from './database/StatisticsSections.tsx'
import { formatBytes, formatRate } from './PageStorage.tsx'
import { StatCard } from '../../components/StatCard.tsx'

/** The overview figures and seed 004's health check: OK / WARNING / CRITICAL per metric with its thresholds. */
function Overview({ data }: { data: DatabaseHealth }) {
  const overview = data.overview.data
  const cache = data.cacheHit.data
  const deadTuples = data.tables.data?.reduce((sum, t) => sum + t.deadTuples, 0)
  return (
    <>
      {overview?.privilegesHint ? (
        <Alert tone="warning" title="Tessera sees only its own sessions">
          {overview.privilegesHint}
        </Alert>
      ) : null}
      <SectionCard
        id="db-health"
        section={data.healthCheck}
        title="Health check"
        description="Each metric against its warning and critical thresholds (seed 004). Also at /api/health?full=1 for administrators and as tessera_db_* gauges on /metrics."
        actions={data.healthCheck.data ? <HealthBadge status={data.healthCheck.data.status} /> : null}
      >
        {(health) => (
          <>
            {overview ? (
              <dl className="stat-cards">
                <StatCard label="Database size" value={formatBytes(overview.sizeBytes)} detail={`${overview.databaseName} · PostgreSQL ${overview.serverVersion}`} />
                <StatCard label="Connections" value={`${formatCount(overview.activeConnections)} active`} detail={`${formatCount(overview.idleConnections)} idle · max ${formatCount(overview.maxConnections)}`} />
                <StatCard label="Cache hit ratio" value={formatRate(cache?.database.ratio ?? null)} detail={cache ? `tables ${formatRate(cache.tables.ratio)} · indexes ${formatRate(cache.indexes.ratio)}` : undefined} />
                <StatCard label="Dead tuples" value={deadTuples === undefined ? '—' : formatCount(deadTuples)} detail="awaiting VACUUM, all tables" />
                <StatCard label="Slow statements" value={formatCount(overview.slowQueries5s)} detail="active for more than 5 s" />
              </dl>
            ) : null}
            <DataTable
              compact
              rows={health.checks}
              rowKey={(check) => check.metric}
              empty={<EmptyState title="No checks">The health check returned no metrics.</EmptyState>}
              columns={[
                { header: 'Status', cell: (check) => <HealthBadge status={check.status} /> },
                { header: 'Metric', cell: (check) => METRIC_LABELS[check.metric] ?? check.metric },
                { header: 'Value', className: 'num', cell: (check) => formatMetric(check.metric, check.value) },
                { header: 'Warning / critical at', className: 'num', cell: thresholdText },
              ]}
            />
          </>
        )}
      </SectionCard>
    </>
  )
}

export function PageDatabase() {
  const [minSeconds, setMinSeconds] = useState(60)
  const state = useApi<DatabaseHealth>('/admin/database', { longTransactionSeconds: minSeconds })
  return (
    <div className="page">
      <PageHeader
        title="Database"
        description="The health of Tessera's PostgreSQL: size, tables and indexes, cache, connections, long transactions, slow queries, replication and partitions."
        actions={<Button variant="secondary" onClick={state.reload}>Refresh</Button>}
      />
      <Loader state={state} label="Reading database statistics…">
        {(data) => (
          <>
            <Overview data={data} />
            <LongTransactionsSection section={data.longTransactions} minSeconds={minSeconds} onMinSeconds={setMinSeconds} />
            <SlowQueriesSection section={data.slowQueries} />
            <TablesSection section={data.tables} />
            <IndexesSection section={data.indexes} statsResetAt={data.overview.data?.statsResetAt ?? null} />
            <ConnectionsSection section={data.connections} />
            <ReplicationSection section={data.replication} />
            <PartitionsSection section={data.partitions} />
            <p className="muted small">Read at {formatDateTime(data.generatedAt)}.</p>
          </>
        )}
      </Loader>
    </div>
  )
}
