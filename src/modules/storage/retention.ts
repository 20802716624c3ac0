import path from 'node:path'
import type pg from 'pg'
import { writeArchive, type ArchiveManifest } from './archive.ts'
import { detachConcurrently, quoteQualified } from './maintenance.ts'

/**
 * ops:retention (daily): applies ops.data_retention_policies (seed 002).
 * 1. Partitioned tables whose policy asks for archive-before-delete: each partition past the
 *    retention is detached CONCURRENTLY (ingest and queries carry on), its rows are written to
 *    an archive under the archive directory, and the table is dropped only after the archive
 *    and its manifest are on disk. For ts.time_series_data, whose old days are compressed long
 *    before retention, the expired segments (and late points) are deleted and archived in one
 *    transaction that commits only once the file is written.
 * 2. Everything else: ops.cleanup_old_data(), the seed's function, which drops partitions
 *    without archiving, deletes rows of plain tables in batches and records the stats; the
 *    archived counts of step 1 are added to those stats. A policy with a delete_condition
 *    (error_logs: resolved errors only) deletes rows, never whole partitions, and without an
 *    archive: archives hold whole partitions.
 */

const DAY_MS = 86_400_000
const FETCH = 5_000
const SEGMENT_BATCH = 50_000
/** Segments (up to 1,000 rows each) per archive file and transaction. */
const PIPELINE_SEGMENT_BATCH = 50

export interface RetentionTableSummary {
  table: string
  deleted: number
  archives: ArchiveManifest[]
}

interface Policy {
  table_name: string
  relation: string
  retention_days: number
}

export async function runStorageRetention(client: pg.Client, archiveDir: string, now = new Date()): Promise<RetentionTableSummary[]> {
  const { rows: policies } = await client.query<Policy>(
    `select p.table_name, p.relation, p.retention_days from ops.data_retention_policies p
      where p.cleanup_enabled and coalesce(p.archive_before_delete, true) and p.relation is not null and p.delete_condition is null
        and (select c.relkind from pg_class c where c.oid = to_regclass(p.relation)) = 'p'
      order by p.table_name`)
  const archived = new Map<string, RetentionTableSummary>()
  const durations = new Map<string, number>()
  for (const policy of policies) {
    const started = Date.now()
    const cutoff = new Date(now.getTime() - policy.retention_days * DAY_MS)
    const summary: RetentionTableSummary = { table: policy.table_name, deleted: 0, archives: [] }
    const dir = path.join(archiveDir, policy.relation)
    const { rows: expired } = await client.query<{ partition_table: string; range_start: Date; range_end: Date }>(
      `select partition_table, range_start, range_end from ops.partitions
        where parent_table = $1 and state = 'attached' and range_end <= $2 order by range_start`, [policy.relation, cutoff])
    for (const partition of expired) {
      const manifest = await archivePartition(client, dir, policy.relation, partition)
      summary.deleted += manifest.rows
      summary.archives.push(manifest)
    }
    if (policy.relation === 'ts.time_series_data') {
      await archiveExpired(client, dir, cutoff, METRIC_SEGMENTS, summary)
    }
    if (policy.relation === 'ingest.pipeline_data') {
      await archiveExpired(client, dir, cutoff, PIPELINE_SEGMENTS, summary)
    }
    archived.set(policy.table_name, summary)
    // Step 2 overwrites the stats; remember what this step took.
    durations.set(policy.table_name, Date.now() - started)
  }

  const { rows: cleaned } = await client.query<{ table_name: string; deleted_count: string; execution_time_ms: number }>('select * from ops.cleanup_old_data()')
  const result: RetentionTableSummary[] = []
  for (const row of cleaned) {
    const step1 = archived.get(row.table_name)
    if (step1) {
      await client.query(
        `update ops.data_retention_policies set last_cleanup_count = last_cleanup_count + $2,
                last_cleanup_duration_ms = last_cleanup_duration_ms + $3 where table_name = $1`,
        [row.table_name, step1.deleted, durations.get(row.table_name) ?? 0])
    }
    result.push({ table: row.table_name, deleted: Number(row.deleted_count) + (step1?.deleted ?? 0), archives: step1?.archives ?? [] })
  }
  return result
}

async function archivePartition(client: pg.Client, dir: string, parent: string, partition: { partition_table: string; range_start: Date; range_end: Date }): Promise<ArchiveManifest> {
  const table = quoteQualified(partition.partition_table)
  await detachConcurrently(client, parent, partition.partition_table)
  await client.query('begin')
  try {
    // The detached table is the owner's alone (no grants, unreachable through the parent):
    // lifting FORCE RLS on it lets the owner read every tenant's rows to archive them.
    await client.query(`alter table ${table} no force row level security`)
    if (parent === 'ingest.pipeline_data') {
      await forgetPartitionRecordHours(client, table)
    }
    await client.query(`declare archive_rows no scroll cursor for select row_to_json(t)::text as line from ${table} t`)
    const manifest = await writeArchive(dir, {
      table: parent,
      partition: partition.partition_table,
      rangeStart: partition.range_start.toISOString(),
      rangeEnd: partition.range_end.toISOString(),
    }, fetchLines(client, 'archive_rows'))
    await client.query('close archive_rows')
    await client.query(`drop table ${table}`)
    await client.query("update ops.partitions set state = 'dropped', changed_at = now() where partition_table = $1", [partition.partition_table])
    await client.query('commit')
    return manifest
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  }
}

/**
 * The dropped partition's rows leave ingest.pipeline_record_hours (0350) in the same
 * transaction: those below the rollup's watermark are counted there, by pipeline and record
 * hour. The shared lock keeps the rollup from moving the watermark meanwhile.
 */
async function forgetPartitionRecordHours(client: pg.Client, table: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock_shared(ingest.pipeline_record_hours_lock_key())')
  await client.query(
    `select private.operator_subtract_pipeline_record_hours(coalesce(jsonb_agg(jsonb_build_object('pipeline_id', c.pipeline_id, 'hour', c.hour, 'n', c.n)), '[]'))
       from (select t.pipeline_id, date_trunc('hour', t.record_time, 'UTC') as hour, count(*) as n
               from ${table} t
              where t.ingested_at < (select w.watermark from ops.rollup_watermarks w where w.name = 'ingest.pipeline_data_hourly')
              group by 1, 2) c`)
}

async function* fetchLines(client: pg.Client, cursor: string): AsyncGenerator<string> {
  for (;;) {
    const { rows } = await client.query<{ line: string }>(`fetch ${FETCH} from ${cursor}`)
    for (const row of rows) {
      yield row.line
    }
    if (rows.length < FETCH) {
      return
    }
  }
}

/**
 * Compressed rows past retention, taken (deleted) by an operator_ function in batches; each
 * batch is archived and committed only once its file is written. $1 is the cutoff day, $2 the
 * batch size; `settle` runs in the same transaction.
 */
interface ExpiredStore {
  table: string
  take: string
  batch: number
  settle?: string
}

const METRIC_SEGMENTS: ExpiredStore = {
  table: 'ts.time_series_segments',
  take: "select json_build_object('kind', kind, 'row', row_data)::text as line from private.operator_take_expired_time_series($1::date, $2)",
  batch: SEGMENT_BATCH,
  settle: `update ops.partitions set state = 'dropped', changed_at = now()
            where parent_table = 'ts.time_series_data' and state = 'compressed' and range_end <= $1::date::timestamp at time zone 'UTC'`,
}

/** Compressed pipeline days, archived as the rows they hold (0154); the batch counts segments. */
const PIPELINE_SEGMENTS: ExpiredStore = {
  table: 'ingest.pipeline_data_segments',
  take: 'select row_data::text as line from private.operator_take_expired_pipeline_segments($1::date, $2)',
  batch: PIPELINE_SEGMENT_BATCH,
}

async function archiveExpired(client: pg.Client, dir: string, cutoff: Date, store: ExpiredStore, summary: RetentionTableSummary): Promise<void> {
  const before = cutoff.toISOString().slice(0, 10)
  for (;;) {
    await client.query('begin')
    try {
      const { rows } = await client.query<{ line: string }>(store.take, [before, store.batch])
      if (rows.length === 0) {
        await client.query('rollback')
        return
      }
      const manifest = await writeArchive(dir, { table: store.table, partition: `${store.table}_before_${before}`, rangeStart: null, rangeEnd: before },
        (async function* () { yield* rows.map((row) => row.line) })())
      if (store.settle) {
        await client.query(store.settle, [before])
      }
      await client.query('commit')
      summary.deleted += manifest.rows
      summary.archives.push(manifest)
      // A batch short of the limit drained what the run found. Late points for expired days
      // keep arriving under ingest; they wait for the next run instead of keeping this one
      // (and the partition jobs queued behind it) going for as long as ingest lasts.
      if (rows.length < store.batch) {
        return
      }
    } catch (error) {
      await client.query('rollback').catch(() => undefined)
      throw error
    }
  }
}
