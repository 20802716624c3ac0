import pg from 'pg'

/**
 * What ts:compress and ops:retention share: a connection as the owner role (they run DDL:
 * detach, drop, grants), a cluster-wide "one at a time" guard, and the record of each run in
 * ops.maintenance_runs that the admin Storage page lists.
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

export interface RunOutcome<T> {
  outcome: 'succeeded' | 'skipped' | 'failed'
  result?: T
}

/**
 * Runs fn unless another worker runs the same job (a session advisory lock on the job's name,
 * released when fn ends or the connection drops), and records the run either way.
 * graphile-worker's ?max=1 already avoids retries piling up; the lock also covers a test or
 * an operator calling the job while the worker runs it.
 */
export async function recordedRun<T extends object>(client: pg.Client, job: string, fn: () => Promise<T>): Promise<RunOutcome<T>> {
  const started = new Date()
  const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext('tessera:' || $1)) as locked", [job])
  if (!rows[0]?.locked) {
    await record(client, job, started, 'skipped', { reason: 'another run holds the lock' })
    return { outcome: 'skipped' }
  }
  try {
    const result = await fn()
    await record(client, job, started, 'succeeded', result)
    return { outcome: 'succeeded', result }
  } catch (error) {
    // A failed statement may have left a transaction open on this connection.
    await client.query('rollback').catch(() => undefined)
    await record(client, job, started, 'failed', {}, (error as Error).message).catch(() => undefined)
    throw error
  } finally {
    await client.query("select pg_advisory_unlock(hashtext('tessera:' || $1))", [job]).catch(() => undefined)
  }
}

async function record(client: pg.Client, job: string, started: Date, outcome: string, details: object, error?: string): Promise<void> {
  const finished = new Date()
  await client.query(
    'insert into ops.maintenance_runs (job, started_at, finished_at, duration_ms, outcome, details, error) values ($1, $2, $3, $4, $5, $6, $7)',
    [job, started, finished, finished.getTime() - started.getTime(), outcome, JSON.stringify(details), error ?? null])
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
