import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withOrg } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { AuditPageResponse, AuditQuery, OrgIdParams } from './audit.schema.ts'
import { auditFilters, auditPage } from './audit.service.ts'

const FILTERS_DESCRIPTION =
  '`actor` is a user id or email; `resource` a table name or resource type; `action` INSERT/UPDATE/DELETE/EVENT or an event type. ' +
  'The window `from`–`to` defaults to the last 30 days. Page with `cursor` = the previous `nextCursor`.'

export function auditRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/audit', {
      schema: {
        tags: ['audit'],
        summary: 'The whole audit log, newest first (instance administrators)',
        description: FILTERS_DESCRIPTION,
        querystring: AuditQuery,
        response: { 200: AuditPageResponse, 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const filters = auditFilters(request.query)
      return withInstanceAdmin(services, request, (trx) => auditPage(trx, filters))
    })

    app.get('/orgs/:orgId/audit', {
      // API keys with the admin scope may export their organization's log (e.g. to a SIEM).
      config: { auth: 'any', scope: 'admin' },
      schema: {
        tags: ['audit'],
        summary: "An organization's audit log, newest first (owners and admins)",
        description: FILTERS_DESCRIPTION,
        params: OrgIdParams,
        querystring: AuditQuery,
        response: { 200: AuditPageResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const filters = auditFilters(request.query)
      const { orgId } = request.params
      return withOrg(services, request, orgId, (trx) => auditPage(trx, { ...filters, orgId: orgId.toLowerCase() }), { roles: ['owner', 'admin'] })
    })
  }
}
