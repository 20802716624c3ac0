import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../platform/config.ts'
import type { BackupManifest } from './backup.manifest.ts'
import { readFirstEntry } from './backup.tar.ts'

/**
 * The backup directory (TESSERA_HOME/backups): scheduled backups and the admin page's
 * "Back up now" land here; the newest backup.retention_count are kept.
 */

export const BACKUP_FILE = /^tessera-backup-\d{8}T\d{6}Z\.tar$/

export interface StoredBackup {
  name: string
  bytes: number
  createdAt: string
  method: BackupManifest['method'] | null
  migrationLevel: string | null
  tables: number | null
  rows: number | null
  /** Set when the manifest cannot be read (a damaged or foreign file). */
  error: string | null
}

export function backupDirectory(config: Config): string {
  return path.join(config.home, 'backups')
}

export function backupFileName(now = new Date()): string {
  return `tessera-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.tar`
}

/** The directory's backups, newest first (names sort by time). */
export async function listBackups(dir: string): Promise<StoredBackup[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const names = (await readdir(dir)).filter((name) => BACKUP_FILE.test(name)).sort().reverse()
  const backups: StoredBackup[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    const { size, mtime } = await stat(file)
    try {
      const first = await readFirstEntry(file)
      const manifest = JSON.parse(first.data.toString('utf8')) as BackupManifest
      backups.push({
        name,
        bytes: size,
        createdAt: manifest.createdAt,
        method: manifest.method,
        migrationLevel: manifest.migrationLevel,
        tables: manifest.tables.length,
        rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
        error: null,
      })
    } catch (error) {
      backups.push({ name, bytes: size, createdAt: mtime.toISOString(), method: null, migrationLevel: null, tables: null, rows: null, error: (error as Error).message })
    }
  }
  return backups
}

/** Deletes all but the newest `keep` backups; returns the names deleted. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => BACKUP_FILE.test(name)).sort().reverse()
  const doomed = names.slice(Math.max(1, keep))
  for (const name of doomed) {
    await rm(path.join(dir, name), { force: true })
  }
  return doomed
}
