import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { reportRunDetails } from '../jobs/job-runs.ts'
import { BackupUnavailable, scheduledBackup } from './backup.service.ts'

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

export function backupTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
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
