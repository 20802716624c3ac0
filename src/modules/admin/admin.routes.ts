import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { forbidden } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { settingsRoutes } from '../settings/settings.routes.ts'
import { databaseHealthRoutes } from '../database-health/database-health.routes.ts'
import { storageRoutes } from '../storage/storage.routes.ts'
import { backupRoutes } from '../backup/backup.routes.ts'
import { performanceMetricsRoutes } from '../performance-metrics/performance-metrics.routes.ts'
import { withInstanceAdmin } from './admin.access.ts'
import { adminOrganizationRoutes } from './admin-organizations.ts'
import { toAdminUserResponse, toMailMessageResponse } from './admin.mapper.ts'
import { listMail, listUsers } from './admin.repository.ts'
import { AdminUserResponse, ListUsersQuery, MailOutboxResponse, PageQuery, UpdateUserBody, UserIdParams, UserListResponse } from './admin.schema.ts'
import { changeUserStatus } from './admin.service.ts'

/** Instance administration: users, mail outbox and (registered here) system settings and organizations. */
export function adminRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(settingsRoutes(services))
    await app.register(adminOrganizationRoutes(services))
    await app.register(storageRoutes(services))
    await app.register(databaseHealthRoutes(services))
    await app.register(backupRoutes(services))
    await app.register(performanceMetricsRoutes(services))

    app.get('/admin/users', {
      schema: {
        tags: ['admin'],
        summary: 'List users (instance administrators)',
        querystring: ListUsersQuery,
        response: { 200: UserListResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const { query, status, limit, offset } = request.query
      const { rows, total } = await withInstanceAdmin(services, request, (trx) => listUsers(trx, { query, status }, { limit, offset }))
      return { users: rows.map(toAdminUserResponse), total, limit, offset }
    })

    app.patch('/admin/users/:userId', {
      schema: {
        tags: ['admin'],
        summary: 'Suspend or reactivate a user (instance administrators)',
        description: 'Suspension revokes every session of the user at once and records a `user_suspended` security event.',
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: AdminUserResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const row = await withInstanceAdmin(services, request, (trx, adminId) => changeUserStatus(trx, request, adminId, request.params.userId, request.body.status))
      return toAdminUserResponse(row)
    })

    app.get('/admin/mail-outbox', {
      schema: {
        tags: ['admin'],
        summary: 'Mail queued or sent by the instance, newest first (instance administrators)',
        description: 'Answers 403 when the system setting `mail.outbox_visible` is false.',
        querystring: PageQuery,
        response: { 200: MailOutboxResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const { limit, offset } = request.query
      const { rows, total } = await withInstanceAdmin(services, request, async (trx) => {
        if (!(await services.settings.boolean('mail.outbox_visible', false))) {
          throw forbidden('The mail outbox is hidden (system setting mail.outbox_visible is false)')
        }
        return listMail(trx, { limit, offset })
      })
      return { messages: rows.map(toMailMessageResponse), total, limit, offset }
    })
  }
}
