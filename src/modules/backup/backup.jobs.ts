import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { exclusiveRun, reportRunDetails } from '../jobs/job-runs.ts'
import { MANUAL_BACKUP_TASK, type ManualBackupPayload } from './backup.queue.ts'
import { BackupUnavailable, backupNow, scheduledBackup } from './backup.service.ts'

/**
 * Hourly check; a backup is written when the newest in TESSERA_HOME/backups is older than
 * backup_frequency_hours (seed 004), and the newest backup.retention_count are kept.
 */
export const BACKUP_SCHEDULE = ['31 * * * * backup:scheduled ?max=1']

export async function backupSettings(runtime: Pick<Runtime, 'services'>): Promise<{ enabled: boolean; frequencyHours: number; keep: number }> {
  const { settings } = runtime.services
  return {
    enabled: await settings.boolean('backup.enabled', true),
    frequencyHours: Math.max(1, await settings.integer('backup_frequency_hours', 24)),
    keep: Math.max(1, await settings.integer('backup.retention_count', 7)),
  }
}

/**
 * The admin's "Back up now" (backup.queue.ts). Recorded in ops.maintenance_runs with the
 * backup's name, or with the error, which the Backups page shows; the error is rethrown so
 * the job fails (one attempt, no retry) and is recorded as an instance error like any job's.
 */
export async function manualBackup(runtime: Pick<Runtime, 'services' | 'ownerUrl'>, logger: pino.Logger, payload: Partial<ManualBackupPayload>): Promise<void> {
  const run = await exclusiveRun(runtime.ownerUrl, MANUAL_BACKUP_TASK, async () => {
    reportRunDetails({ requestedBy: payload.requestedBy ?? null })
    const { backup, deleted } = await backupNow(runtime.services.config, (await backupSettings(runtime)).keep)
    reportRunDetails({ backup: backup.name, deleted })
    logger.info({ job: MANUAL_BACKUP_TASK, backup: backup.name, deleted }, 'backup written')
  })
  // Only one job is queued at a time (queueManualBackup), so a held lock means a stray duplicate.
  if (run.outcome === 'skipped') logger.warn({ job: MANUAL_BACKUP_TASK }, 'manual backup skipped: another one is running')
}

export function backupTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    [MANUAL_BACKUP_TASK]: async (payload) => {
      await manualBackup(runtime, logger, (payload ?? {}) as Partial<ManualBackupPayload>)
    },
    'backup:scheduled': async () => {
      try {
        const result = await scheduledBackup(runtime.services.config, await backupSettings(runtime))
        if (result.outcome === 'written') logger.info({ job: 'backup:scheduled', ...result }, 'backup written')
        reportRunDetails(result)
      } catch (error) {
        // No privileged connection (docs/backup.md) or another backup running: retrying would not help.
        if (!(error instanceof BackupUnavailable)) throw error
        logger.warn({ job: 'backup:scheduled', reason: error.message }, 'scheduled backup skipped')
        reportRunDetails({ outcome: 'unavailable', reason: error.message })
      }
    },
  }
}
