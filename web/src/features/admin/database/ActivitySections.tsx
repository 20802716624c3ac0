import { Link } from 'react-router-dom'
import { Alert } from '../../../components/Alert.tsx'
import { DataTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { formatDate } from '../../../lib/format.ts'
import { formatBytes, formatDuration } from '../PageStorage.tsx'
import type { DatabaseHealth, SlowQuery } from './api.ts'
import { formatCount, formatMs, HealthBadge, SectionCard } from './format.tsx'
import { SortableTable, type SortableColumn } from './SortableTable.tsx'

/** The thresholds the long-transaction list offers, in seconds. */
export const LONG_TRANSACTION_CHOICES = [10, 60, 300, 1800]

export function ConnectionsSection({ section }: { section: DatabaseHealth['connections'] }) {
  return (
    <SectionCard id="db-connections" section={section} title="Connections by state" description="Client connections to the whole PostgreSQL server and to this database (pg_stat_activity).">
      {(data) => (
        <>
          <p>
            <strong>{formatCount(data.total)}</strong> of {formatCount(data.maxConnections)} allowed (max_connections).
          </p>
          <DataTable
            compact
            rows={data.byState}
            rowKey={(row) => row.state}
            empty={<EmptyState title="No client connections">Nothing is connected, not even this page's request: the statistics may be off.</EmptyState>}
            columns={[
              { header: 'State', cell: (row) => row.state },
              { header: 'Server', className: 'num', cell: (row) => formatCount(row.connections) },
              { header: 'This database', className: 'num', cell: (row) => formatCount(row.inDatabase) },
            ]}
          />
        </>
      )}
    </SectionCard>
  )
}

export function LongTransactionsSection({ section, minSeconds, onMinSeconds }: { section: DatabaseHealth['longTransactions']; minSeconds: number; onMinSeconds: (seconds: number) => void }) {
  return (
    <SectionCard
      id="db-transactions"
      section={section}
      title="Long-running transactions"
      description="Open transactions hold back VACUUM on every table and may hold locks. The statement is shown for sessions of this database."
      actions={
        <label className="inline-field">
          <span className="small muted">Open for at least</span>{' '}
          <select value={minSeconds} onChange={(event) => onMinSeconds(Number(event.target.value))}>
            {LONG_TRANSACTION_CHOICES.map((seconds) => (
              <option key={seconds} value={seconds}>
                {formatDuration(seconds)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {(data) => (
        <DataTable
          compact
          rows={data.transactions}
          rowKey={(row) => row.pid}
          empty={<EmptyState title="No long transactions">No transaction has been open for {formatDuration(data.minSeconds)} or more.</EmptyState>}
          columns={[
            { header: 'Open for', className: 'num', cell: (row) => formatDuration(row.transactionSeconds) },
            { header: 'Session', cell: (row) => <span className="small">pid {row.pid} · {row.user ?? '?'}{row.application ? ` · ${row.application}` : ''}{row.database ? ` · ${row.database}` : ''}</span> },
            { header: 'State', cell: (row) => `${row.state ?? row.backendType ?? '—'}${row.waitEvent ? ` (waits on ${row.waitEvent})` : ''}` },
            { header: 'Statement', cell: (row) => (row.query ? <span className="db-query" title={row.query}>{row.query}</span> : <span className="muted">another database</span>) },
          ]}
        />
      )}
    </SectionCard>
  )
}

const QUERY_COLUMNS: Array<SortableColumn<SlowQuery>> = [
  // Four lines at most; the whole statement is the tooltip.
  { header: 'Statement', cell: (q) => <span className="db-query" title={q.query}>{q.query}</span> },
  { header: 'Calls', numeric: true, cell: (q) => formatCount(q.calls), sortValue: (q) => q.calls },
  { header: 'Mean', numeric: true, cell: (q) => formatMs(q.meanMs), sortValue: (q) => q.meanMs },
  { header: 'Max', numeric: true, cell: (q) => formatMs(q.maxMs), sortValue: (q) => q.maxMs },
  { header: 'Total', numeric: true, cell: (q) => formatMs(q.totalMs), sortValue: (q) => q.totalMs },
  { header: 'Rows', numeric: true, cell: (q) => formatCount(q.rows), sortValue: (q) => q.rows },
  { header: 'Cache hit', numeric: true, cell: (q) => (q.hitPercent === null ? '—' : `${q.hitPercent}%`), sortValue: (q) => q.hitPercent },
]

export function SlowQueriesSection({ section }: { section: DatabaseHealth['slowQueries'] }) {
  return (
    <SectionCard id="db-slow-queries" section={section} title="Slow queries" description="Statements of this database with the highest mean execution time, from pg_stat_statements.">
      {(data) =>
        data.hint ? (
          <Alert tone="info" title="Enable pg_stat_statements">
            <p>{data.hint}</p>
            <p className="small">See docs/database-health.md. Everything else on this page works without it.</p>
          </Alert>
        ) : (
          <SortableTable
            label="Slow queries"
            rows={data.queries}
            columns={QUERY_COLUMNS}
            rowKey={(q) => `${q.queryId}:${q.query.slice(0, 40)}`}
            initialSort={{ header: 'Mean', descending: true }}
            limit={20}
            empty={<EmptyState title="No statements recorded yet">pg_stat_statements is on; statements appear once they have run.</EmptyState>}
          />
        )
      }
    </SectionCard>
  )
}

export function ReplicationSection({ section }: { section: DatabaseHealth['replication'] }) {
  return (
    <SectionCard id="db-replication" section={section} title="Replication" description="Streaming replicas of this server (pg_stat_replication) and how far behind they are.">
      {(data) => (
        <>
          {data.inRecovery ? (
            <p>
              This server is a standby{data.replayDelaySeconds === null ? '.' : `, replaying ${formatDuration(data.replayDelaySeconds)} behind its primary.`}
            </p>
          ) : null}
          <DataTable
            compact
            rows={data.replicas}
            rowKey={(r) => `${r.name}:${r.clientAddr}`}
            empty={<EmptyState title="No replicas connected">Replication lag shows here once a streaming replica connects (DATABASE_REPLICA_URLS routes dashboard reads to it).</EmptyState>}
            columns={[
              { header: 'Replica', cell: (r) => `${r.name ?? 'unnamed'}${r.clientAddr ? ` (${r.clientAddr})` : ''}` },
              { header: 'State', cell: (r) => `${r.state ?? '—'}${r.syncState ? `, ${r.syncState}` : ''}` },
              { header: 'Lag (sent − replayed)', className: 'num', cell: (r) => formatBytes(r.lagBytes) },
              { header: 'Not yet replayed', className: 'num', cell: (r) => formatBytes(r.totalLagBytes) },
              { header: 'Replay lag', className: 'num', cell: (r) => (r.replayLagSeconds === null ? '—' : formatDuration(r.replayLagSeconds)) },
            ]}
          />
        </>
      )}
    </SectionCard>
  )
}

export function PartitionsSection({ section }: { section: DatabaseHealth['partitions'] }) {
  return (
    <SectionCard
      id="db-partitions"
      section={section}
      title="Partitions"
      description={
        <>
          Whether each time-partitioned table has the partition that takes today's rows and the next one (partitions:maintain creates them ahead). Each partition's range and size:{' '}
          <Link to="/admin/storage">Storage</Link>.
        </>
      }
    >
      {(rows) => (
        <DataTable
          compact
          rows={rows}
          rowKey={(p) => p.table}
          empty={<EmptyState title="No partitioned tables">The worker creates partitions ahead of time (partitions:maintain).</EmptyState>}
          columns={[
            { header: 'Status', cell: (p) => <HealthBadge status={p.status} title={p.problem ?? undefined} /> },
            {
              header: 'Table',
              cell: (p) => (
                <>
                  <span className="mono">{p.table}</span>
                  {p.problem ? <div className="small">{p.problem}</div> : null}
                </>
              ),
            },
            { header: 'Per', cell: (p) => p.granularity },
            { header: 'Attached', className: 'num', cell: (p) => formatCount(p.attached) },
            { header: 'Compressed', className: 'num', cell: (p) => formatCount(p.compressed) },
            { header: 'Detached', className: 'num', cell: (p) => formatCount(p.detached) },
            { header: 'Covers', cell: (p) => `${formatDate(p.oldestStart)} – ${formatDate(p.newestEnd)}` },
          ]}
        />
      )}
    </SectionCard>
  )
}
