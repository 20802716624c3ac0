import { readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../../platform/config.ts'
import { connectForBackup } from './backup.connection.ts'
import { createBackup } from './backup.export.ts'
import { secretKeyCheck } from './backup.manifest.ts'
import { backupDirectory, backupFileName, listBackups, pruneBackups, type StoredBackup } from './backup.store.ts'

/** Why a backup cannot run now; the routes turn it into 409 with this message. */
export class BackupUnavailable extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One backup at a time per backup directory, across the server and the worker (which share
 * TESSERA_HOME): a lock file holding the writer's pid; a lock left by a dead process is taken over.
 */
async function withDirectoryLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.backup.lock')
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw new BackupUnavailable('a backup is already being written; wait for it to finish')
      const holder = Number(readFileSync(lock, 'utf8'))
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new BackupUnavailable('a backup is already being written; wait for it to finish')
      await rm(lock, { force: true })
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { force: true })
  }
}

/** Writes a backup into the backup directory and keeps the newest `keep`. */
export async function backupNow(config: Config, keep: number): Promise<{ backup: StoredBackup; deleted: string[] }> {
  const dir = backupDirectory(config)
  await listBackups(dir)
  return withDirectoryLock(dir, async () => {
    let connection
    try {
      connection = await connectForBackup(config, 'backup')
    } catch (error) {
      throw new BackupUnavailable((error as Error).message)
    }
    let name = backupFileName()
    // Names have a one-second resolution: two backups within a second must not share one.
    while ((await listBackups(dir)).some((b) => b.name === name)) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5))
      name = backupFileName()
    }
    try {
      await createBackup(connection.url, path.join(dir, name), { method: 'auto', secretKeyCheck: secretKeyCheck(config.secretKey) })
    } finally {
      await connection.close()
    }
    const deleted = await pruneBackups(dir, keep)
    const backup = (await listBackups(dir)).find((b) => b.name === name)
    if (!backup) throw new Error(`the backup ${name} was written but is not in ${dir}`)
    return { backup, deleted }
  })
}

/** The scheduled job: a backup when the newest one is older than the frequency. */
export async function scheduledBackup(config: Config, settings: { enabled: boolean; frequencyHours: number; keep: number }, now = new Date()): Promise<{ outcome: 'written' | 'not_due' | 'disabled'; name?: string; deleted?: string[] }> {
  if (!settings.enabled) return { outcome: 'disabled' }
  const newest = (await listBackups(backupDirectory(config))).find((b) => b.error === null)
  if (newest && now.getTime() - Date.parse(newest.createdAt) < settings.frequencyHours * 3_600_000 - 5 * 60_000) {
    return { outcome: 'not_due' }
  }
  const { backup, deleted } = await backupNow(config, settings.keep)
  return { outcome: 'written', name: backup.name, deleted }
}
