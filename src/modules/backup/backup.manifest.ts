import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { spawnSync } from 'node:child_process'
import type { PartitionInfo, SequenceInfo } from './backup.catalog.ts'

/** manifest.json, the first entry of every archive. */
export interface BackupManifest {
  format: 'tessera-backup'
  formatVersion: 1
  tesseraVersion: string
  createdAt: string
  server: { version: string; versionNum: number }
  /** copy: Tessera's COPY export, one part per table; pg_dump: one data-only custom-format dump. */
  method: 'copy' | 'pg_dump'
  pgDumpVersion?: string
  /** The newest applied migration: the restore migrates to exactly this level before loading. */
  migrationLevel: string
  migrations: string[]
  /** Lets a restore warn when its TESSERA_SECRET_KEY differs (encrypted values would not decrypt). */
  secretKeyCheck: string
  tables: Array<{ name: string; columns: string[]; rows: number; rowsDigest: string; part?: string }>
  parts: Array<{ name: string; bytes: number; sha256: string }>
}

/** catalog.json: what the migrations do not recreate. */
export interface BackupCatalog {
  partitions: PartitionInfo[]
  sequences: SequenceInfo[]
  materializedViews: string[]
}

export function secretKeyCheck(secretKey: Buffer): string {
  return createHash('sha256').update('tessera-backup-key-check:').update(secretKey).digest('hex').slice(0, 16)
}

export async function fileSha256(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

/** The major version of an installed PostgreSQL client tool (pg_dump, pg_restore), or undefined. */
export function clientToolVersion(tool: 'pg_dump' | 'pg_restore'): { major: number; text: string } | undefined {
  const run = spawnSync(tool, ['--version'], { encoding: 'utf8' })
  const match = run.status === 0 ? /(\d+)(?:\.(\d+))?/.exec(run.stdout) : null
  return match ? { major: Number(match[1]), text: match[0] } : undefined
}

/** A URL for pg_dump/pg_restore without its password, which goes in PGPASSWORD instead: a command line is visible to every local user (ps). */
export function clientToolConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password)
  parsed.password = ''
  return { dbname: parsed.toString(), env: { ...process.env, ...(password && { PGPASSWORD: password }) } }
}
