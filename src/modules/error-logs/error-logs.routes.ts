import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireUserId, withOrg } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { ErrorGroupDetail, ErrorIdParams, ErrorListQuery, ErrorListResponse, OrgErrorIdParams, OrgErrorParams, ResolveBody } from './error-logs.schema.ts'
import { errorFilters, errorGroupDetail, errorGroupPage, resolveError } from './error-logs.service.ts'

const LIST_DESCRIPTION =
  'One row per error group: occurrences with the same fingerprint (error code, message with ids, numbers and quoted values ' +
  'replaced, top three stack frames) count into one group. Filter by `resolved`, `category`, `level`; `q` searches messages ' +
  '(full text, English). Page with `cursor` = the previous `nextCursor`.'

/**
 * Error logs (seed 002 error_logs, grouped): instance administrators see and resolve every
 * group; an organization's owners and admins see and resolve their organization's, without
 * stack traces.
 */
export function errorLogRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/errors', {
      schema: {
        tags: ['errors'],
        summary: 'Error groups of the whole instance (instance administrators)',
        description: LIST_DESCRIPTION,
        querystring: ErrorListQuery,
        response: { 200: ErrorListResponse, 400: ErrorResponse, 403: ErrorResponse },
      },
    }, async (request) => {
      const filters = errorFilters(request.query)
      return withInstanceAdmin(services, request, (trx) => errorGroupPage(trx, filters))
    })

    app.get('/admin/errors/:errorId', {
      schema: {
        tags: ['errors'],
        summary: 'One error group with its stack trace and context (instance administrators)',
        params: ErrorIdParams,
        response: { 200: ErrorGroupDetail, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => withInstanceAdmin(services, request, (trx) => errorGroupDetail(trx, request.params.errorId, { withStack: true })))

    app.post('/admin/errors/:errorId/resolve', {
      schema: {
        tags: ['errors'],
        summary: 'Resolve an error group with notes (instance administrators)',
        description: 'An occurrence after the resolution reopens the group; the resolution it undid stays in `context.resolutionHistory`.',
        params: ErrorIdParams,
        body: ResolveBody,
        response: { 200: ErrorGroupDetail, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) =>
      withInstanceAdmin(services, request, (trx, adminId) => resolveError(trx, request.params.errorId, adminId, request.body.notes, { withStack: true })))

    app.get('/orgs/:orgId/errors', {
      config: { auth: 'any', scope: 'admin' },
      schema: {
        tags: ['errors'],
        summary: "An organization's error groups (owners and admins)",
        description: LIST_DESCRIPTION,
        params: OrgErrorParams,
        querystring: ErrorListQuery,
        response: { 200: ErrorListResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const orgId = request.params.orgId.toLowerCase()
      const filters = errorFilters(request.query, orgId)
      return withOrg(services, request, orgId, (trx) => errorGroupPage(trx, filters), { roles: ['owner', 'admin'] })
    })

    app.get('/orgs/:orgId/errors/:errorId', {
      config: { auth: 'any', scope: 'admin' },
      schema: {
        tags: ['errors'],
        summary: "One of an organization's error groups, with its context (owners and admins)",
        params: OrgErrorIdParams,
        response: { 200: ErrorGroupDetail, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const orgId = request.params.orgId.toLowerCase()
      return withOrg(services, request, orgId, (trx) => errorGroupDetail(trx, request.params.errorId, { orgId, withStack: false }), { roles: ['owner', 'admin'] })
    })

    app.post('/orgs/:orgId/errors/:errorId/resolve', {
      config: { auth: 'any', scope: 'admin' },
      schema: {
        tags: ['errors'],
        summary: "Resolve one of an organization's error groups with notes (owners and admins)",
        params: OrgErrorIdParams,
        body: ResolveBody,
        response: { 200: ErrorGroupDetail, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    }, async (request) => {
      const orgId = request.params.orgId.toLowerCase()
      const userId = requireUserId(request)
      return withOrg(services, request, orgId, (trx) => resolveError(trx, request.params.errorId, userId, request.body.notes, { orgId, withStack: false }), { roles: ['owner', 'admin'] })
    })
  }
}
