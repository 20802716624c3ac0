import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { backupSettings } from './backup.jobs.ts'
import { BackupNameParams, BackupListResponse, CreateBackupResponse } from './backup.schema.ts'
import { BackupUnavailable, backupNow } from './backup.service.ts'
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
      await withInstanceAdmin(services, request, async () => undefined)
      const settings = await backupSettings({ services })
      return {
        directory: dir,
        schedule: { enabled: settings.enabled, frequencyHours: settings.frequencyHours, retentionCount: settings.keep },
        backups: await listBackups(dir),
      }
    })

    app.post('/admin/backups', {
      schema: {
        tags: ['admin'],
        summary: 'Write a backup now (one snapshot of the whole database, as `tessera backup`) and keep the newest backup.retention_count (instance administrators)',
        description: 'Answers when the archive is written. 409 `conflict` when another backup is being written or no connection may read every row (set TESSERA_BACKUP_DATABASE_URL, docs/backup.md).',
        response: { 201: CreateBackupResponse, 403: ErrorResponse, 409: ErrorResponse },
      },
    }, async (request, reply) => {
      await withInstanceAdmin(services, request, async () => undefined)
      const { keep } = await backupSettings({ services })
      try {
        const result = await backupNow(services.config, keep)
        return reply.code(201).send(result)
      } catch (error) {
        if (error instanceof BackupUnavailable) throw new AppError('conflict', 409, error.message)
        throw error
      }
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
