import { EmptyState } from '../../../components/EmptyState.tsx'
import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { formatBytes, formatRate } from '../PageStorage.tsx'
import type { DatabaseHealth, IndexStatistics, TableStatistics } from './api.ts'
import { formatCount, SectionCard } from './format.tsx'
import { SortableTable, type SortableColumn } from './SortableTable.tsx'

const tableName = (row: { schema: string; table: string }) => `${row.schema}.${row.table}`

/** A table or index name, with the number of partitions summed into its row under it. */
function NameWithPartitions({ name, partitions }: { name: string; partitions: number }) {
  return (
    <>
      <span className="mono">{name}</span>
      {partitions ? <div className="muted small">{formatCount(partitions)} partitions</div> : null}
    </>
  )
}

const TABLE_COLUMNS: Array<SortableColumn<TableStatistics>> = [
  { header: 'Table', cell: (t) => <NameWithPartitions name={tableName(t)} partitions={t.partitions} />, sortValue: tableName },
  { header: 'Total', numeric: true, cell: (t) => formatBytes(t.totalBytes), sortValue: (t) => t.totalBytes },
  { header: 'Heap', numeric: true, cell: (t) => formatBytes(t.tableBytes), sortValue: (t) => t.tableBytes },
  { header: 'Indexes', numeric: true, cell: (t) => formatBytes(t.indexBytes), sortValue: (t) => t.indexBytes },
  { header: 'Rows', numeric: true, cell: (t) => formatCount(t.liveTuples), sortValue: (t) => t.liveTuples },
  { header: 'Dead tuples', numeric: true, cell: (t) => formatCount(t.deadTuples), sortValue: (t) => t.deadTuples },
  { header: 'Dead %', numeric: true, cell: (t) => formatRate(t.deadRatio), sortValue: (t) => t.deadRatio },
  { header: 'Bloat (est.)', numeric: true, cell: (t) => formatBytes(t.bloatBytesEstimate), sortValue: (t) => t.bloatBytesEstimate },
  { header: 'Seq scans', numeric: true, cell: (t) => formatCount(t.seqScans), sortValue: (t) => t.seqScans },
  { header: 'Last vacuum', cell: (t) => <span title={formatDateTime(t.lastVacuum, 'never')}>{formatRelative(t.lastVacuum)}</span>, sortValue: (t) => t.lastVacuum },
]

const INDEX_COLUMNS: Array<SortableColumn<IndexStatistics>> = [
  { header: 'Index', cell: (i) => <NameWithPartitions name={i.index} partitions={i.partitions} />, sortValue: (i) => i.index },
  { header: 'Table', cell: (i) => <span className="mono">{tableName(i)}</span>, sortValue: tableName },
  { header: 'Scans', numeric: true, cell: (i) => formatCount(i.scans), sortValue: (i) => i.scans },
  { header: 'Tuples read', numeric: true, cell: (i) => formatCount(i.tuplesRead), sortValue: (i) => i.tuplesRead },
  { header: 'Size', numeric: true, cell: (i) => formatBytes(i.sizeBytes), sortValue: (i) => i.sizeBytes },
  { header: 'Kind', cell: (i) => (i.primary ? 'primary key' : i.unique ? 'unique' : ''), sortValue: (i) => (i.primary ? 2 : i.unique ? 1 : 0) },
]

const indexKey = (i: IndexStatistics) => `${i.schema}.${i.index}`

export function TablesSection({ section }: { section: DatabaseHealth['tables'] }) {
  return (
    <SectionCard
      id="db-tables"
      section={section}
      title="Tables"
      description="Sizes with indexes and TOAST, rows and dead tuples (pg_stat_user_tables). A partitioned table is one row, its partitions summed. The bloat estimate is the heap share dead tuples hold until VACUUM makes it reusable."
    >
      {(tables) => (
        <SortableTable
          label="Tables"
          rows={tables}
          columns={TABLE_COLUMNS}
          rowKey={tableName}
          initialSort={{ header: 'Total', descending: true }}
          empty={<EmptyState title="No tables">The statistics list no user tables yet.</EmptyState>}
        />
      )}
    </SectionCard>
  )
}

export function IndexesSection({ section, statsResetAt }: { section: DatabaseHealth['indexes']; statsResetAt: string | null }) {
  const since = statsResetAt ? `since ${formatDateTime(statsResetAt)}` : 'since the statistics were last reset'
  return (
    <SectionCard
      id="db-indexes"
      section={section}
      title="Index usage"
      description={`Scans of each index ${since} (pg_stat_user_indexes). Unused: fewer than 10 scans and neither unique nor a primary key, so it costs writes and space for nothing; check a replica's usage before dropping one.`}
    >
      {(indexes) => {
        const unused = indexes.filter((i) => i.unused)
        return (
          <>
            <h3>Unused indexes ({formatCount(unused.length)})</h3>
            <SortableTable
              label="Unused indexes"
              rows={unused}
              columns={INDEX_COLUMNS}
              rowKey={indexKey}
              initialSort={{ header: 'Size', descending: true }}
              limit={15}
              empty={<EmptyState title="Every index is used">Each non-unique index was scanned at least 10 times.</EmptyState>}
            />
            <h3>All indexes ({formatCount(indexes.length)})</h3>
            <SortableTable
              label="All indexes"
              rows={indexes}
              columns={INDEX_COLUMNS}
              rowKey={indexKey}
              initialSort={{ header: 'Scans', descending: false }}
              limit={15}
              empty={<EmptyState title="No indexes">The statistics list no user indexes yet.</EmptyState>}
            />
          </>
        )
      }}
    </SectionCard>
  )
}
