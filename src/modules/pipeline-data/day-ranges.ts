import type pg from 'pg'
import { withOwner } from '../storage/maintenance.ts'

/**
 * ingest:day-ranges (hourly): records, for each closed and not yet summarized daily partition
 * of ingest.pipeline_data, each pipeline's row count and record_time range
 * (ingest.pipeline_data_days), so record-time queries skip the partitions that cannot hold
 * their rows (stored-rows.ts recordTimePruning; 0141 explains the trigger that keeps a
 * summary honest). Runs as the owner role: it adds a trigger to each partition it summarizes.
 */

export interface DayRangesSummary {
  partitions: number
  pipelines: number
  /** Partitions whose lock was not granted in time (a compression or index build held it); the next run retries. */
  busy: number
}

const LOCK_NOT_AVAILABLE = '55P03'

export function summarizeDayRanges(ownerUrl: string, now?: Date): Promise<DayRangesSummary> {
  return withOwner(ownerUrl, (client) => runDayRanges(client, now))
}

export async function runDayRanges(client: pg.Client, now = new Date()): Promise<DayRangesSummary> {
  const summary: DayRangesSummary = { partitions: 0, pipelines: 0, busy: 0 }
  const { rows } = await client.query<{ partition_table: string }>(
    `select p.partition_table from ops.partitions p
      where p.parent_table = 'ingest.pipeline_data' and p.state = 'attached' and p.range_end <= $1
        and to_regclass(p.partition_table) is not null
        and not exists (select 1 from ops.pipeline_data_summaries s
                         where s.partition_table = p.partition_table and s.relid = to_regclass(p.partition_table)::oid)
      order by p.range_start`,
    [now])
  for (const { partition_table: table } of rows) {
    await client.query('begin')
    try {
      await client.query("set local lock_timeout = '10s'")
      const { rows: done } = await client.query<{ pipelines: number | null }>('select ops.summarize_pipeline_data_partition($1) as pipelines', [table])
      await client.query('commit')
      if (done[0]?.pipelines !== null && done[0]?.pipelines !== undefined) {
        summary.partitions++
        summary.pipelines += done[0].pipelines
      }
    } catch (error) {
      await client.query('rollback').catch(() => undefined)
      if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) {
        throw error
      }
      summary.busy++
    }
  }
  return summary
}
