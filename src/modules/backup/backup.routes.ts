import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { backupSettings } from './backup.jobs.ts'
import { connectForBackup } from './backup.connection.ts'
import { lastManualBackupRun, pendingManualBackup, queueManualBackup, type ManualBackupRun, type QueuedBackup } from './backup.queue.ts'
import { BackupNameParams, BackupListResponse, QueuedBackupResponse } from './backup.schema.ts'
import { backupDirectory, listBackups } from './backup.store.ts'

/** The admin Backups page: list, back up now, download (instance administrators; docs/backup.md). */
export function backupRoutes(services: Services): FastifyPluginAsyncTypebox {
  const dir = backupDirectory(services.config)
  return async (app) => {
    app.get('/admin/backups', {
      schema: {
        tags: ['admin'],
        summary: 'List the backups in TESSERA_HOME/backups, newest first, with the schedule settings (instance administrators)',
        response: { 200: BackupListResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const state = await withInstanceAdmin(services, request, async (trx) => ({ pending: await pendingManualBackup(trx), last: await lastManualBackupRun(trx) }))
      const settings = await backupSettings({ services })
      return {
        directory: dir,
        manual: toManualState(state.pending, state.last),
        schedule: { enabled: settings.enabled, frequencyHours: settings.frequencyHours, retentionCount: settings.keep },
        backups: await listBackups(dir),
      }
    })

    app.post('/admin/backups', {
      schema: {
        tags: ['admin'],
        summary: 'Queue a backup now (one snapshot of the whole database, as `tessera backup`), written by the worker, which keeps the newest backup.retention_count (instance administrators)',
        description: 'Answers 202 at once; GET /admin/backups shows the backup queued, running, then in the list (or the error in manual.lastRun). '
          + '409 `backup_in_progress` when a manual backup is already queued or running (details.jobId), or `backup_unavailable` when no connection may read every row (set TESSERA_BACKUP_DATABASE_URL, docs/backup.md).',
        response: { 202: QueuedBackupResponse, 403: ErrorResponse, 409: ErrorResponse },
      },
    }, async (request, reply) => {
      await withInstanceAdmin(services, request, async () => undefined)
      // Refused here rather than failing in the worker: the admin learns at once what to configure.
      try {
        await (await connectForBackup(services.config, 'backup')).close()
      } catch (error) {
        throw new AppError('backup_unavailable', 409, (error as Error).message)
      }
      const { queued, job } = await withInstanceAdmin(services, request, (trx, adminId) => queueManualBackup(trx, { requestedBy: adminId }))
      if (!queued) {
        throw new AppError('backup_in_progress', 409, `A backup is already ${job.locked_at ? 'being written' : 'queued'}; wait for it to finish`, { details: { jobId: job.id } })
      }
      return reply.code(202).send({ jobId: job.id, status: 'queued' as const, queuedAt: job.created_at.toISOString() })
    })

    app.get('/admin/backups/:name', {
      schema: {
        tags: ['admin'],
        summary: 'Download a backup archive (application/x-tar; restore it with `tessera restore <file>`) (instance administrators)',
        params: BackupNameParams,
        response: { 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request, reply) => {
      await withInstanceAdmin(services, request, async () => undefined)
      const file = path.join(dir, request.params.name)
      const found = await stat(file).catch(() => undefined)
      if (!found?.isFile()) throw new AppError('not_found', 404, `There is no backup ${request.params.name}`)
      return reply
        .header('content-type', 'application/x-tar')
        .header('content-length', String(found.size))
        .header('content-disposition', `attachment; filename="${request.params.name}"`)
        .send(createReadStream(file) as never)
    })
  }
}

function toManualState(pending: QueuedBackup | undefined, last: ManualBackupRun | undefined) {
  return {
    status: pending ? (pending.locked_at ? 'running' as const : 'queued' as const) : 'idle' as const,
    jobId: pending?.id ?? null,
    queuedAt: pending?.created_at.toISOString() ?? null,
    startedAt: pending?.locked_at?.toISOString() ?? null,
    lastRun: last
      ? {
          outcome: last.outcome,
          startedAt: last.started_at.toISOString(),
          finishedAt: last.finished_at.toISOString(),
          backup: last.details?.backup ?? null,
          error: last.error,
        }
      : null,
  }
}
