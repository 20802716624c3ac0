import type pg from 'pg'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import type { SettingsCache } from '../../platform/settings-cache.ts'
import { quoteQualified, withOwner } from '../storage/maintenance.ts'
import { reportRunDetails } from './job-runs.ts'

/**
 * partitions:maintain (hourly, and once when a worker starts): creates the partitions of the
 * time-partitioned tables ahead, so that no insert ever waits for DDL or meets a missing
 * partition, and builds the indexes deferred off the partition that takes inserts.
 */

type Granularity = 'day' | 'month'

/** A partitioned table and how many partitions behind today it keeps (PARTITIONED_TABLES in jobs.tasks.ts). */
export interface PartitionedTable {
  table: string
  granularity: Granularity
  behind: number
}

/**
 * How far ahead partitions exist (system settings partitions.days_ahead and
 * partitions.months_ahead, 0160). Points are accepted up to the end of the newest
 * ts.time_series_data partition, so days_ahead is also how far in the future a point may be.
 */
export const AHEAD_SETTINGS: Readonly<Record<Granularity, { key: string; fallback: number; max: number }>> = {
  day: { key: 'partitions.days_ahead', fallback: 7, max: 90 },
  month: { key: 'partitions.months_ahead', fallback: 3, max: 24 },
}

export async function partitionsAhead(settings: Pick<SettingsCache, 'integer'>): Promise<Record<Granularity, number>> {
  const read = async (granularity: Granularity) => {
    const { key, fallback, max } = AHEAD_SETTINGS[granularity]
    // The settings API enforces 1..max; a value written around it (SQL) is clamped, never
    // allowed to stop the job: at least the next day or month must always exist.
    return Math.min(max, Math.max(1, await settings.integer(key, fallback)))
  }
  return { day: await read('day'), month: await read('month') }
}

export interface MaintainSummary {
  ahead: Record<Granularity, number>
  created: Record<string, number>
  indexesBuilt: number
}

export async function maintainPartitions(runtime: Pick<Runtime, 'ownerUrl' | 'services'>, logger: pino.Logger, tables: ReadonlyArray<PartitionedTable>): Promise<MaintainSummary> {
  const ahead = await partitionsAhead(runtime.services.settings)
  const summary = await withOwner(runtime.ownerUrl, async (client) => {
    const created: Record<string, number> = {}
    for (const { table, granularity, behind } of tables) {
      const { rows } = await client.query<{ created: number }>('select ops.ensure_partitions($1, $2, $3, $4) as created', [table, granularity, ahead[granularity], behind])
      created[table] = rows[0]?.created ?? 0
    }
    return { ahead, created, indexesBuilt: await buildDeferredIndexes(client) }
  })
  logger.info({ job: 'partitions:maintain', ...summary }, 'partitions ensured')
  reportRunDetails(summary)
  return summary
}

/**
 * Indexes kept off the partitions that take inserts (ops.deferred_indexes), built once a
 * partition's range is over. Not with ops.build_deferred_indexes(), which builds them all in
 * one transaction with plain CREATE INDEX: past days of ts.time_series_data still take points
 * (they carry their own time), a plain build blocks those writes, and one transaction holding
 * the locks of several partitions deadlocks with a batch writing to several days. Here each
 * index is built CONCURRENTLY, on its own, outside any transaction: writes carry on. A build
 * that was interrupted leaves an invalid index behind; it is dropped and built again.
 */
async function buildDeferredIndexes(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ partition_table: string; index_name: string; definition: string; invalid: boolean }>(
    `select part.partition_table, split_part(part.partition_table, '.', 2) || '_' || d.index_suffix as index_name, d.definition,
            i.indexrelid is not null as invalid
       from ops.partitions part
       join ops.deferred_indexes d on d.parent_table = part.parent_table
       left join pg_index i on i.indexrelid = to_regclass(split_part(part.partition_table, '.', 1) || '.' || split_part(part.partition_table, '.', 2) || '_' || d.index_suffix)
      where part.state = 'attached' and part.range_end <= now() and to_regclass(part.partition_table) is not null
        and (to_regclass(split_part(part.partition_table, '.', 1) || '.' || split_part(part.partition_table, '.', 2) || '_' || d.index_suffix) is null
             or not i.indisvalid)
      order by part.range_start`)
  for (const { partition_table: table, index_name: name, definition, invalid } of rows) {
    const schema = quoteQualified(table).split('.')[0]!
    const index = `${schema}."${name}"`
    if (invalid) {
      await client.query(`drop index concurrently if exists ${index}`)
    }
    // Names and definitions come from ops.partitions and ops.deferred_indexes, which only the
    // owner role writes (as in ops.build_deferred_indexes).
    await client.query(`create index concurrently if not exists "${name}" on ${quoteQualified(table)} ${definition}`)
  }
  return rows.length
}
