import pg from 'pg'
import { heldRun, lockedRun, type RunOutcome } from '../jobs/job-runs.ts'

/**
 * What ts:compress and ops:retention share: a connection as the owner role (they run DDL:
 * detach, drop, grants), a cluster-wide "one at a time" guard, and the record of each run in
 * ops.maintenance_runs that the admin Storage page lists (the guard and the record are the
 * ones every scheduled job gets, src/modules/jobs/job-runs.ts).
 */

export async function withOwner<T>(ownerUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'tessera-maintenance' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export type { RunOutcome } from '../jobs/job-runs.ts'

/**
 * Runs fn unless another worker runs the same job (a session advisory lock on the job's name,
 * released when fn ends or the connection drops), and records the run either way: see
 * src/modules/jobs/job-runs.ts. Called from the worker, the job's wrapper already holds the
 * lock and records the run on its own connection: fn then just runs, and its result becomes
 * the recorded details. Called directly (tests, an operator), it guards and records itself.
 */
export async function recordedRun<T extends object>(client: pg.Client, job: string, fn: () => Promise<T>): Promise<RunOutcome<T>> {
  const held = heldRun(job)
  if (held) {
    const result = await fn()
    Object.assign(held.details, result)
    return { outcome: 'succeeded', result }
  }
  return lockedRun(client, job, fn, (result) => result)
}

/**
 * Detaches a partition with DETACH ... CONCURRENTLY, which PostgreSQL allows only outside a
 * transaction block and which takes SHARE UPDATE EXCLUSIVE on the parent, so inserts and
 * queries carry on. A detach interrupted half-way leaves the partition "detach pending";
 * FINALIZE completes it.
 */
export async function detachConcurrently(client: pg.Client, parent: string, partition: string): Promise<void> {
  const { rows } = await client.query<{ pending: boolean | null }>(
    'select i.inhdetachpending as pending from pg_inherits i where i.inhrelid = to_regclass($1) and i.inhparent = to_regclass($2)', [partition, parent])
  if (rows.length === 0) {
    return // already detached
  }
  const suffix = rows[0]!.pending ? 'finalize' : 'concurrently'
  await client.query(`alter table ${quoteQualified(parent)} detach partition ${quoteQualified(partition)} ${suffix}`)
}

/** "schema.table" from the catalogue, quoted; names come from ops.partitions, never from users. */
export function quoteQualified(name: string): string {
  const [schema, table] = name.split('.')
  if (!schema || !table || !/^[a-z0-9_]+$/.test(schema) || !/^[a-z0-9_]+$/.test(table)) {
    throw new Error(`unexpected table name ${name}`)
  }
  return `"${schema}"."${table}"`
}

/**
 * What a compression run reads from the partition catalogue of `parent`: the partitions a run
 * marked 'compressed' but did not finish dropping, and the attached ones wholly before `before`.
 * Days are UTC dates (YYYY-MM-DD).
 */
export async function unfinishedCompressions(client: pg.Client, parent: string): Promise<Array<{ partition_table: string; day: string }>> {
  const { rows } = await client.query<{ partition_table: string; day: string }>(
    `select partition_table, to_char(range_start at time zone 'UTC', 'YYYY-MM-DD') as day from ops.partitions
      where parent_table = $1 and state = 'compressed' and to_regclass(partition_table) is not null order by range_start`, [parent])
  return rows
}

export async function attachedDaysBefore(client: pg.Client, parent: string, before: Date): Promise<Array<{ day: string; range_end: Date }>> {
  const { rows } = await client.query<{ day: string; range_end: Date }>(
    `select to_char(range_start at time zone 'UTC', 'YYYY-MM-DD') as day, range_end from ops.partitions
      where parent_table = $1 and state = 'attached' and range_end <= $2 order by range_start`, [parent, before])
  return rows
}
