import type { TaskList } from 'graphile-worker'
import type pino from 'pino'
import type { Runtime } from '../../platform/runtime.ts'
import { runCompression, type CompressionOptions } from './compression.ts'
import { recordedRun, withOwner } from './maintenance.ts'
import { runStorageRetention } from './retention.ts'

/**
 * Storage maintenance jobs. Both run as the owner role (DDL: detach, drop) and move tenant
 * rows only through the operator_ SECURITY DEFINER functions of 0130/0131; each run is
 * recorded in ops.maintenance_runs and guarded by an advisory lock (one at a time).
 */

export const STORAGE_SCHEDULE = ['29 2 * * * ts:compress ?max=1', '53 2 * * * ops:retention ?max=1']

export function compressTimeSeries(ownerUrl: string, options: CompressionOptions = {}) {
  return withOwner(ownerUrl, (client) => recordedRun(client, 'ts:compress', () => runCompression(client, options)))
}

export function applyRetention(ownerUrl: string, archiveDir: string, now?: Date) {
  return withOwner(ownerUrl, (client) => recordedRun(client, 'ops:retention', async () => ({ tables: await runStorageRetention(client, archiveDir, now) })))
}

export function storageTasks(runtime: Runtime, logger: pino.Logger): TaskList {
  return {
    'ts:compress': async () => {
      const run = await compressTimeSeries(runtime.ownerUrl)
      logger.info({ job: 'ts:compress', outcome: run.outcome, ...run.result, detached: run.result?.detached.length }, 'time series compressed')
    },
    'ops:retention': async () => {
      const run = await applyRetention(runtime.ownerUrl, runtime.services.config.archiveDir)
      const tables = run.result?.tables.map((t) => ({ table: t.table, deleted: t.deleted, archives: t.archives.length }))
      logger.info({ job: 'ops:retention', outcome: run.outcome, tables }, 'retention applied')
    },
  }
}
