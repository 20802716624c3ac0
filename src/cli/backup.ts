import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../platform/config.ts'
import { connectForBackup } from '../modules/backup/backup.connection.ts'
import { createBackup, type BackupMethod } from '../modules/backup/backup.export.ts'
import { secretKeyCheck } from '../modules/backup/backup.manifest.ts'
import { openBackup, restoreBackup } from '../modules/backup/backup.restore.ts'
import { backupFileName } from '../modules/backup/backup.store.ts'

/** `tessera backup` and `tessera restore` (docs/backup.md). */

const number = new Intl.NumberFormat('en-US')

export function backupMethod(value: string): BackupMethod {
  if (value !== 'auto' && value !== 'copy' && value !== 'pg_dump') throw new Error('--method must be auto, copy or pg_dump')
  return value
}

export async function backupFromCli(config: Config, options: { out?: string; method: BackupMethod }): Promise<void> {
  const out = path.resolve(options.out ?? backupFileName())
  const directory = await stat(path.dirname(out)).catch(() => undefined)
  if (!directory?.isDirectory()) throw new Error(`cannot write ${out}: ${path.dirname(out)} is not a directory`)
  const connection = await connectForBackup(config, 'backup')
  try {
    const manifest = await createBackup(connection.url, out, { method: options.method, secretKeyCheck: secretKeyCheck(config.secretKey) })
    const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0)
    const { size } = await stat(out)
    process.stdout.write(
      `wrote ${out}\n` +
        `  method: ${manifest.method === 'pg_dump' ? `pg_dump ${manifest.pgDumpVersion}` : 'copy (Tessera export)'}, PostgreSQL ${manifest.server.version}, migration level ${manifest.migrationLevel}\n` +
        `  ${manifest.tables.length} tables, ${number.format(rows)} rows, ${number.format(size)} bytes\n`,
    )
  } finally {
    await connection.close()
  }
}

export async function restoreFromCli(config: Config, file: string, options: { force?: boolean }): Promise<void> {
  const archive = await stat(file).catch(() => undefined)
  if (!archive?.isFile()) throw new Error(`${file} does not exist or is not a file`)
  const opened = await openBackup(file)
  try {
    const connection = await connectForBackup(config, 'restore')
    try {
      const summary = await restoreBackup(opened, connection, {
        force: options.force ?? false,
        secretKeyCheck: secretKeyCheck(config.secretKey),
        warn: (message) => process.stderr.write(`tessera: warning: ${message}\n`),
      })
      process.stdout.write(
        `restored ${file} (backup of ${summary.manifest.createdAt}, migration level ${summary.manifest.migrationLevel})\n` +
          `  into ${connection.embedded ? `the embedded PostgreSQL in ${config.home}` : 'DATABASE_URL'}\n` +
          `  ${summary.tables} tables, ${number.format(summary.rows)} rows; row counts and checksums verified\n` +
          (summary.upgradedTo.length ? `  then applied migrations ${summary.upgradedTo.join(', ')}\n` : ''),
      )
    } finally {
      await connection.close()
    }
  } finally {
    await rm(opened.dir, { recursive: true, force: true })
  }
}
