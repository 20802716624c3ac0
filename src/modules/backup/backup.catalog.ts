import { createHash } from 'node:crypto'
import { Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'

/**
 * What a backup reads from the catalogue, and the digest of a table's rows. Shared by the
 * backup (in its snapshot) and the restore (to verify what it loaded).
 *
 * Schemas left out: PostgreSQL's own and graphile_worker (the job queue, created by
 * graphile-worker itself; queued jobs are transient and its cron items are recreated on start).
 */
const SKIPPED_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema', 'graphile_worker') and n.nspname not like 'pg\\_%'`

export interface TableInfo {
  /** schema.table, quoted where needed (regclass text). */
  name: string
  /** Copied columns in order; generated columns are recomputed on restore and left out. */
  columns: string[]
}

export interface PartitionInfo {
  name: string
  parent: string
  owner: string
  /** CREATE TABLE … PARTITION OF … FOR VALUES …, as the owner runs it on restore. */
  ddl: string[]
}

export interface SequenceInfo {
  name: string
  lastValue: string
  isCalled: boolean
}

/** Makes COPY text, partition bounds and timestamps the same bytes on every server and session. */
export async function setStableOutput(client: pg.Client | pg.PoolClient): Promise<void> {
  await client.query(`set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; set local intervalstyle = 'postgres';
                      set local extra_float_digits = 3; set local bytea_output = 'hex'`)
}

const notExtensionMember = (alias: string) =>
  `not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = ${alias}.oid and d.deptype = 'e')`

/**
 * Every ordinary table (partitions included, partitioned parents not: their rows live in the
 * partitions). Left out: a former partition caught between its detach and its drop
 * (ts:compress empties a day before detaching it; retention drops what it detached), which no
 * migration would recreate.
 */
export async function listTables(client: pg.Client): Promise<TableInfo[]> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(
    `select c.oid::regclass::text as name,
            array(select quote_ident(a.attname) from pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                   order by a.attnum) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and ${SKIPPED_SCHEMAS} and ${notExtensionMember('c')}
        and not (not c.relispartition and exists (select 1 from ops.partitions p where p.partition_table = c.oid::regclass::text and p.state <> 'attached'))
      order by n.nspname, c.relname`,
  )
  return rows
}

/**
 * Partitions are created at run time (ops.ensure_partitions, ops.create_partition), so the
 * migrations do not recreate them: the backup keeps what makes each one: its bound, its
 * Row-Level Security flags, the indexes and triggers made on it alone (not inherited from the
 * parent) and its grants.
 */
export async function listPartitions(client: pg.Client): Promise<PartitionInfo[]> {
  const { rows } = await client.query<{ name: string; parent: string; owner: string; bound: string; rls: boolean; force: boolean; indexes: string[]; triggers: string[]; grants: string[] }>(
    `select c.oid::regclass::text as name, i.inhparent::regclass::text as parent, c.relowner::regrole::text as owner,
            pg_get_expr(c.relpartbound, c.oid) as bound, c.relrowsecurity as rls, c.relforcerowsecurity as force,
            array(select pg_get_indexdef(x.indexrelid) from pg_index x
                   where x.indrelid = c.oid and not exists (select 1 from pg_inherits h where h.inhrelid = x.indexrelid)
                     and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = c.oid)
                   order by x.indexrelid) as indexes,
            array(select pg_get_triggerdef(t.oid) from pg_trigger t
                   where t.tgrelid = c.oid and t.tgparentid = 0 and not t.tgisinternal order by t.tgname) as triggers,
            array(select format('grant %s on %s to %s', a.privilege_type, c.oid::regclass, a.grantee::regrole)
                    from aclexplode(c.relacl) a where a.grantee <> 0 and a.grantee <> c.relowner order by 1) as grants
       from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_inherits i on i.inhrelid = c.oid
      where c.relispartition and c.relkind in ('r', 'p') and ${SKIPPED_SCHEMAS}
      order by c.relkind desc, n.nspname, c.relname`,
  )
  return rows.map((row) => ({
    name: row.name,
    parent: row.parent,
    owner: row.owner,
    ddl: [
      `create table ${row.name} partition of ${row.parent} ${row.bound}`,
      ...(row.rls ? [`alter table ${row.name} enable row level security`] : []),
      ...(row.force ? [`alter table ${row.name} force row level security`] : []),
      ...row.indexes,
      ...row.triggers,
      ...row.grants,
    ],
  }))
}

export async function listSequences(client: pg.Client): Promise<SequenceInfo[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'S' and ${SKIPPED_SCHEMAS} and ${notExtensionMember('c')} order by 1`,
  )
  const sequences: SequenceInfo[] = []
  for (const { name } of rows) {
    const { rows: values } = await client.query<{ last_value: string; is_called: boolean }>(`select last_value::text, is_called from ${name}`)
    sequences.push({ name, lastValue: values[0]!.last_value, isCalled: values[0]!.is_called })
  }
  return sequences
}

/** Materialized views holding data: a COPY restore refreshes them once the tables are loaded. */
export async function listMaterializedViews(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.oid::regclass::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'm' and c.relispopulated and ${SKIPPED_SCHEMAS} order by c.oid`,
  )
  return rows.map((row) => row.name)
}

/**
 * Row count and an order-independent digest of a table's COPY text: the sum (mod 2^256) of the
 * SHA-256 of every row. A restored table holds the same rows in a different physical order,
 * so a digest of the stream as a whole would not compare.
 */
export class RowDigest {
  rows = 0
  private sum = 0n
  private rest: Buffer = Buffer.alloc(0)
  private static readonly MOD = 1n << 256n

  update(chunk: Buffer): void {
    let data = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk
    let start = 0
    for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
      this.add(data.subarray(start, end))
      start = end + 1
    }
    this.rest = Buffer.from(data.subarray(start))
    data = Buffer.alloc(0)
  }

  private add(line: Buffer): void {
    this.rows += 1
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(line).digest('hex')}`)) % RowDigest.MOD
  }

  digest(): string {
    if (this.rest.length) {
      this.add(this.rest)
      this.rest = Buffer.alloc(0)
    }
    return this.sum.toString(16).padStart(64, '0')
  }
}

export function copyOutSql(table: TableInfo): string {
  return `copy ${table.name} (${table.columns.join(', ')}) to stdout`
}

/** Streams one table's COPY text through the digest and, when given, into `sink`. */
export async function digestTable(client: pg.Client, table: TableInfo, sink?: Writable): Promise<{ rows: number; digest: string }> {
  const digest = new RowDigest()
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      digest.update(chunk)
      done(null, sink ? chunk : undefined)
    },
  })
  const source = client.query(copyTo(copyOutSql(table)))
  await pipeline(source, tap, sink ?? new Writable({ write: (_chunk, _encoding, done) => done() }))
  return { rows: digest.rows, digest: digest.digest() }
}
