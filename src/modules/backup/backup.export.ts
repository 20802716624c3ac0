import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createGzip } from 'node:zlib'
import pg from 'pg'
import { serviceVersion } from '../../platform/error-recorder.ts'
import { digestTable, listMaterializedViews, listPartitions, listSequences, listTables, setStableOutput } from './backup.catalog.ts'
import { clientToolConnection, clientToolVersion, fileSha256, type BackupCatalog, type BackupManifest } from './backup.manifest.ts'
import { writeTar } from './backup.tar.ts'

export type BackupMethod = 'auto' | 'copy' | 'pg_dump'

export interface BackupOptions {
  method: BackupMethod
  secretKeyCheck: string
  log?: (message: string) => void
}

/**
 * pg_dump when one at least as new as the server is installed, else Tessera's COPY export
 * (the embedded PostgreSQL ships no pg_dump). Asking for pg_dump without a usable one fails.
 */
function chooseMethod(requested: BackupMethod, serverMajor: number): { method: 'copy' | 'pg_dump'; pgDump?: string } {
  if (requested === 'copy') return { method: 'copy' }
  const tool = clientToolVersion('pg_dump')
  if (tool && tool.major >= serverMajor) return { method: 'pg_dump', pgDump: tool.text }
  if (requested === 'pg_dump') {
    throw new Error(tool
      ? `pg_dump ${tool.text} cannot dump PostgreSQL ${serverMajor}; install pg_dump ${serverMajor} or newer, or use --method copy`
      : 'pg_dump is not installed (or not on PATH); install the PostgreSQL client tools, or use --method copy')
  }
  return { method: 'copy' }
}

function runPgDump(url: string, snapshot: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const { dbname, env } = clientToolConnection(url)
    const child = spawn('pg_dump', ['--format=custom', '--data-only', '--no-sync', `--snapshot=${snapshot}`, '--exclude-schema=graphile_worker', `--file=${file}`, `--dbname=${dbname}`], { stdio: ['ignore', 'ignore', 'pipe'], env })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump failed (exit ${code}): ${stderr.trim().split('\n').filter((line) => !/warning/i.test(line)).join(' ') || stderr.trim()}`))))
  })
}

/**
 * Writes the whole Tessera database as one tar archive: manifest.json, catalog.json (the
 * partitions, sequence values and materialized views the migrations do not recreate) and the
 * data. Everything is read in one REPEATABLE READ snapshot; with pg_dump the snapshot is
 * exported to it, so its data and the manifest's counts describe the same instant.
 */
export async function createBackup(url: string, out: string, options: BackupOptions): Promise<BackupManifest> {
  const log = options.log ?? (() => undefined)
  const work = await mkdtemp(path.join(path.dirname(path.resolve(out)), '.tessera-backup-'))
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows: server } = await client.query<{ num: string; text: string }>(`select current_setting('server_version_num') as num, current_setting('server_version') as text`)
    const versionNum = Number(server[0]!.num)
    const chosen = chooseMethod(options.method, Math.floor(versionNum / 10000))
    await client.query('begin isolation level repeatable read read only')
    await setStableOutput(client)
    const snapshot = chosen.method === 'pg_dump' ? (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id : undefined
    if (!(await client.query(`select to_regclass('ops.schema_migrations') as t`)).rows[0]?.t) {
      throw new Error('the database has no ops.schema_migrations: it is not a Tessera database (run `tessera migrate` first)')
    }
    const migrations = (await client.query<{ version: string }>('select version from ops.schema_migrations order by version')).rows.map((row) => row.version.trim())
    const tables = await listTables(client)
    const catalog: BackupCatalog = { partitions: await listPartitions(client), sequences: await listSequences(client), materializedViews: await listMaterializedViews(client) }
    await mkdir(path.join(work, 'data'))
    const dump = snapshot ? runPgDump(url, snapshot, path.join(work, 'data', 'pg_dump.custom')) : undefined
    // A failed pg_dump must not be left unobserved while the tables are read.
    dump?.catch(() => undefined)
    const manifestTables: BackupManifest['tables'] = []
    for (const [index, table] of tables.entries()) {
      const part = chosen.method === 'copy' ? `data/${String(index + 1).padStart(5, '0')}.copy.gz` : undefined
      let result: { rows: number; digest: string }
      if (part) {
        const gzip = createGzip({ level: 6 })
        const written = new Promise<void>((resolve, reject) => {
          const file = createWriteStream(path.join(work, part))
          file.on('finish', resolve).on('error', reject)
          gzip.pipe(file)
        })
        result = await digestTable(client, table, gzip)
        await written
      } else {
        result = await digestTable(client, table)
      }
      manifestTables.push({ name: table.name, columns: table.columns, rows: result.rows, rowsDigest: result.digest, ...(part && { part }) })
    }
    await dump
    await client.query('commit')
    log(`read ${tables.length} tables in one snapshot (${chosen.method})`)

    await writeFile(path.join(work, 'catalog.json'), `${JSON.stringify(catalog, null, 1)}\n`)
    const partNames = ['catalog.json', ...(chosen.method === 'copy' ? manifestTables.map((t) => t.part!) : ['data/pg_dump.custom'])]
    const parts: BackupManifest['parts'] = []
    for (const name of partNames) {
      parts.push({ name, ...(await fileSha256(path.join(work, name))) })
    }
    const manifest: BackupManifest = {
      format: 'tessera-backup',
      formatVersion: 1,
      tesseraVersion: serviceVersion(),
      createdAt: new Date().toISOString(),
      server: { version: server[0]!.text.split(' ')[0] ?? server[0]!.text, versionNum },
      method: chosen.method,
      ...(chosen.pgDump && { pgDumpVersion: chosen.pgDump }),
      migrationLevel: migrations.at(-1) ?? '',
      migrations,
      secretKeyCheck: options.secretKeyCheck,
      tables: manifestTables,
      parts,
    }
    await writeFile(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`)
    // Written beside the target and renamed: a crash never leaves a half archive under the final name.
    const partial = `${out}.partial`
    await writeTar(partial, [{ name: 'manifest.json', file: path.join(work, 'manifest.json') }, ...partNames.map((name) => ({ name, file: path.join(work, name) }))])
    await rename(partial, out)
    return manifest
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    await rm(`${out}.partial`, { force: true })
    throw error
  } finally {
    await client.end().catch(() => undefined)
    await rm(work, { recursive: true, force: true })
  }
}
