import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { migrate, readMigrations } from '../../platform/migrate.ts'
import { digestTable, setStableOutput } from './backup.catalog.ts'
import { clientToolConnection, clientToolVersion, fileSha256, type BackupCatalog, type BackupManifest } from './backup.manifest.ts'
import { extractTar } from './backup.tar.ts'

export interface RestoreOptions {
  force: boolean
  secretKeyCheck: string
  log?: (message: string) => void
  warn?: (message: string) => void
}

export interface RestoreSummary {
  manifest: BackupManifest
  tables: number
  rows: number
  /** Migrations newer than the backup, applied after the data was loaded. */
  upgradedTo: string[]
}

export interface OpenedBackup {
  dir: string
  manifest: BackupManifest
  catalog: BackupCatalog
}

/** Unpacks an archive into a temporary directory and checks every part against the manifest. */
export async function openBackup(file: string): Promise<OpenedBackup> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-restore-'))
  try {
    const names = await extractTar(file, dir)
    if (names[0] !== 'manifest.json') throw new Error(`${file} is not a Tessera backup (no manifest.json first)`)
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest
    if (manifest.format !== 'tessera-backup' || manifest.formatVersion !== 1) {
      throw new Error(`${file} is not a Tessera backup of a format this version reads (format ${String(manifest.format)} ${String(manifest.formatVersion)})`)
    }
    for (const part of manifest.parts) {
      if (!names.includes(part.name)) throw new Error(`${file} is incomplete: part ${part.name} is missing`)
      const actual = await fileSha256(path.join(dir, part.name))
      if (actual.sha256 !== part.sha256 || actual.bytes !== part.bytes) {
        throw new Error(`${file} is damaged: the SHA-256 of ${part.name} does not match the manifest`)
      }
    }
    const catalog = JSON.parse(await readFile(path.join(dir, 'catalog.json'), 'utf8')) as BackupCatalog
    return { dir, manifest, catalog }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    if (error instanceof SyntaxError) throw new Error(`${file} is damaged: ${error.message}`)
    throw error
  }
}

/** What the target holds already: nothing for a new database or a new TESSERA_HOME. */
async function targetState(client: pg.Client): Promise<{ migrations: number; sessions: number }> {
  const exists = (await client.query(`select to_regclass('ops.schema_migrations') as t`)).rows[0]?.t
  const migrations = exists ? Number((await client.query<{ n: string }>('select count(*) as n from ops.schema_migrations')).rows[0]!.n) : 0
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
  )
  return { migrations, sessions: Number(rows[0]!.n) }
}

/** --force: drops every schema of the target but public (where the extensions live). */
async function dropEverything(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(nspname) as name from pg_namespace
      where nspname not in ('public', 'information_schema') and nspname not like 'pg\\_%'`,
  )
  for (const { name } of rows) {
    await client.query(`drop schema ${name} cascade`)
  }
}

function runPgRestore(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const { dbname, env } = clientToolConnection(url)
    const child = spawn('pg_restore', ['--data-only', '--disable-triggers', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, file], { stdio: ['ignore', 'ignore', 'pipe'], env })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_restore failed (exit ${code}): ${stderr.trim().split('\n').join(' ')}`))))
  })
}

/** Creates the partitions of the backup (as their owner) and drops the ones the migrations made that it does not have. */
async function shapePartitions(client: pg.Client, catalog: BackupCatalog): Promise<void> {
  const wanted = new Set(catalog.partitions.map((p) => p.name))
  const parents = [...new Set(catalog.partitions.map((p) => p.parent))]
  const { rows: existing } = await client.query<{ name: string; parent: string }>(
    `select c.oid::regclass::text as name, i.inhparent::regclass::text as parent
       from pg_class c join pg_inherits i on i.inhrelid = c.oid
      where c.relispartition and c.relkind in ('r', 'p') and i.inhparent::regclass::text = any($1)`,
    [parents],
  )
  const present = new Set(existing.map((row) => row.name))
  for (const row of existing) {
    if (!wanted.has(row.name)) await client.query(`drop table if exists ${row.name} cascade`)
  }
  for (const partition of catalog.partitions) {
    if (present.has(partition.name)) continue
    // The owner of the parent here: the owner role may have another name than where the backup was made.
    const { rows } = await client.query<{ owner: string }>('select relowner::regrole::text as owner from pg_class where oid = $1::regclass', [partition.parent])
    await client.query(`set local role ${rows[0]?.owner ?? client.escapeIdentifier(partition.owner)}`)
    for (const statement of partition.ddl) {
      await client.query(statement)
    }
    await client.query('reset role')
  }
}

/**
 * Restores an archive into the target: migrations up to the backup's level (as the owner),
 * the backup's partitions, then, in one transaction on the superuser connection, every table
 * emptied and loaded with triggers off, sequences set, materialized views refreshed, and each
 * table's row count and digest compared with the manifest before commit. Migrations newer than
 * the backup run last, over the restored data, as they would on an upgrade.
 */
export async function restoreBackup(opened: OpenedBackup, target: { url: string; ownerUrl: string }, options: RestoreOptions): Promise<RestoreSummary> {
  const { manifest, catalog, dir } = opened
  const log = options.log ?? (() => undefined)
  const known = readMigrations().map((m) => m.version)
  const unknown = manifest.migrations.filter((version) => !known.includes(version))
  if (unknown.length > 0) {
    throw new Error(`the backup was made by a newer Tessera (migrations ${unknown.join(', ')} are unknown here); upgrade Tessera to ${manifest.tesseraVersion} or newer first`)
  }
  if (manifest.secretKeyCheck !== options.secretKeyCheck) {
    options.warn?.('the backup was made with a different TESSERA_SECRET_KEY: encrypted data-source credentials and settings will not decrypt until you use the original key')
  }
  if (manifest.method === 'pg_dump') {
    const tool = clientToolVersion('pg_restore')
    const needed = Number(/^\d+/.exec(manifest.pgDumpVersion ?? '0')?.[0])
    if (!tool || tool.major < needed) {
      throw new Error(`the backup was written by pg_dump ${manifest.pgDumpVersion}; restoring it needs pg_restore ${needed} or newer on PATH${tool ? ` (found ${tool.text})` : ''}`)
    }
  }

  const client = new pg.Client({ connectionString: target.url })
  await client.connect()
  try {
    const state = await targetState(client)
    if (state.sessions > 0) {
      throw new Error(`${state.sessions} other session(s) are connected to the target database; stop Tessera (server and worker) before restoring`)
    }
    if (state.migrations > 0) {
      if (!options.force) {
        throw new Error('the target database is not empty (it holds a Tessera database); restore into an empty database or a new TESSERA_HOME, or pass --force to replace everything in it')
      }
      log('--force: dropping the existing Tessera schemas')
      await dropEverything(client)
    }
    await migrate(target.ownerUrl, { until: manifest.migrationLevel })
    log(`migrated the target to ${manifest.migrationLevel}`)

    await client.query('begin')
    await client.query('set local session_replication_role = replica')
    await setStableOutput(client)
    await shapePartitions(client, catalog)
    const { rows: columns } = await client.query<{ name: string; columns: string[] }>(
      `select c.oid::regclass::text as name,
              array(select quote_ident(a.attname) from pg_attribute a
                     where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns
         from pg_class c where c.relkind = 'r' and c.oid::regclass::text = any($1)`,
      [manifest.tables.map((t) => t.name)],
    )
    const targetColumns = new Map(columns.map((row) => [row.name, row.columns.join(',')]))
    for (const table of manifest.tables) {
      const have = targetColumns.get(table.name)
      if (have === undefined) throw new Error(`table ${table.name} of the backup does not exist after migrating to ${manifest.migrationLevel}`)
      if (have !== table.columns.join(',')) throw new Error(`table ${table.name} has other columns than in the backup (${have} here, ${table.columns.join(',')} there)`)
    }
    // The migrations seeded rows (settings, roles, retention policies): the backup's replace them.
    // Partitioned parents are named too: a foreign key on a parent references through it.
    const { rows: parents } = await client.query<{ name: string }>(`select c.oid::regclass::text as name from pg_class c where c.relkind = 'p' and c.oid::regclass::text = any($1)`, [[...new Set(catalog.partitions.map((p) => p.parent))]])
    await client.query(`truncate ${[...manifest.tables.map((t) => t.name), ...parents.map((p) => p.name)].join(', ')}`)
    if (manifest.method === 'copy') {
      for (const table of manifest.tables) {
        const stream = client.query(copyFrom(`copy ${table.name} (${table.columns.join(', ')}) from stdin`))
        await pipeline(createReadStream(path.join(dir, table.part!)), createGunzip(), stream)
      }
      for (const sequence of catalog.sequences) {
        await client.query('select setval($1::regclass, $2::bigint, $3)', [sequence.name, sequence.lastValue, sequence.isCalled])
      }
    } else {
      // pg_restore loads on its own connection (its archive also sets the sequences).
      await client.query('commit')
      await runPgRestore(target.url, path.join(dir, 'data', 'pg_dump.custom'))
      await client.query('begin')
      await setStableOutput(client)
    }
    for (const view of catalog.materializedViews) {
      await client.query(`refresh materialized view ${view}`)
    }
    let rows = 0
    for (const table of manifest.tables) {
      const actual = await digestTable(client, { name: table.name, columns: table.columns })
      if (actual.rows !== table.rows || actual.digest !== table.rowsDigest) {
        throw new Error(`verification failed for ${table.name}: ${actual.rows} rows restored, ${table.rows} in the backup${actual.rows === table.rows ? ' (same count, different content)' : ''}`)
      }
      rows += actual.rows
    }
    await client.query('commit')
    log(`loaded and verified ${manifest.tables.length} tables`)
    const upgradedTo = await migrate(target.ownerUrl)
    return { manifest, tables: manifest.tables.length, rows, upgradedTo }
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    await client.end().catch(() => undefined)
  }
}
