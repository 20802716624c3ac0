import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import {
  CreateDashboardBody,
  DashboardList,
  DashboardListQuery,
  DashboardParams,
  DashboardResponse,
  PermissionsBody,
  PermissionsResponse,
  UpdateDashboardBody,
} from './dashboards.schema.ts'
import * as service from './dashboards.service.ts'

const tags = ['dashboards']
/** Reads are open to every member and to API keys with the read scope; per-dashboard access is checked by the service. */
const READ = { auth: 'any', scope: 'read' } as const
/** Creating a dashboard (also by duplicating one) is for owners, admins and members; viewers only read. */
const creators = { roles: ['owner', 'admin', 'member'] as OrgRole[] }
const DuplicateBody = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: false })

/** Dashboards (issue 5, first slice): CRUD, search, soft delete and restore, duplicate, stars, permissions. */
export function dashboardRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/dashboards', {
      config: READ,
      schema: {
        tags,
        summary: 'Dashboards the caller may see (search by name, typo-tolerant; filter by tag, owner, starred; sort)',
        params: OrgParams,
        querystring: DashboardListQuery,
        response: { 200: DashboardList },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.listDashboards(trx, actor, request.query)))

    app.post('/orgs/:orgId/dashboards', {
      schema: { tags, summary: 'Create a dashboard (owner, admin, member); the slug comes from the name', params: OrgParams, body: CreateDashboardBody, response: { 201: DashboardResponse } },
    }, async (request, reply) => reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.createDashboard(trx, actor, request.body), creators)))

    app.get('/orgs/:orgId/dashboards/:dashboardId', {
      config: READ,
      schema: { tags, summary: 'A dashboard (counts a view)', params: DashboardParams, response: { 200: DashboardResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => service.getDashboard(trx, actor, request.params.dashboardId, service.viewContext(request))))

    app.patch('/orgs/:orgId/dashboards/:dashboardId', {
      schema: { tags, summary: 'Change a dashboard (edit permission)', params: DashboardParams, body: UpdateDashboardBody, response: { 200: DashboardResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => service.updateDashboard(trx, actor, request.params.dashboardId, request.body, service.viewContext(request))))

    app.delete('/orgs/:orgId/dashboards/:dashboardId', {
      schema: { tags, summary: `Delete a dashboard (admin permission); restorable for ${service.RESTORE_WINDOW_DAYS} days`, params: DashboardParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.deleteDashboard(trx, actor, request.params.dashboardId))
      return reply.code(204).send(null)
    })

    app.post('/orgs/:orgId/dashboards/:dashboardId/restore', {
      schema: {
        tags,
        summary: `Restore a deleted dashboard (admin permission); 410 restore_window_expired after ${service.RESTORE_WINDOW_DAYS} days`,
        params: DashboardParams,
        response: { 200: DashboardResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.restoreDashboard(trx, actor, request.params.dashboardId)))

    app.post('/orgs/:orgId/dashboards/:dashboardId/duplicate', {
      schema: { tags, summary: 'Copy a dashboard with its widgets (owner, admin, member who can see it)', params: DashboardParams, body: Type.Optional(DuplicateBody), response: { 201: DashboardResponse } },
    }, async (request, reply) =>
      reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.duplicateDashboard(trx, actor, request.params.dashboardId, request.body ?? {}), creators)))

    app.put('/orgs/:orgId/dashboards/:dashboardId/star', {
      schema: { tags, summary: 'Star a dashboard', params: DashboardParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.setStar(trx, actor, request.params.dashboardId, true))
      return reply.code(204).send(null)
    })

    app.delete('/orgs/:orgId/dashboards/:dashboardId/star', {
      schema: { tags, summary: 'Unstar a dashboard', params: DashboardParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.setStar(trx, actor, request.params.dashboardId, false))
      return reply.code(204).send(null)
    })

    app.get('/orgs/:orgId/dashboards/:dashboardId/permissions', {
      schema: { tags, summary: "A dashboard's explicit permissions (admin permission)", params: DashboardParams, response: { 200: PermissionsResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.getPermissions(trx, actor, request.params.dashboardId)))

    app.put('/orgs/:orgId/dashboards/:dashboardId/permissions', {
      schema: {
        tags,
        summary: "Replace a dashboard's permissions (admin permission)",
        description: 'Each entry names exactly one of userId and teamId. With any entry, only those listed (plus org owners/admins and the creator) see the dashboard.',
        params: DashboardParams,
        body: PermissionsBody,
        response: { 200: PermissionsResponse },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.putPermissions(trx, actor, request.params.dashboardId, request.body)))

    app.delete('/orgs/:orgId/dashboards/:dashboardId/permissions', {
      schema: { tags, summary: 'Remove every explicit permission: the dashboard is visible to all members again (admin permission)', params: DashboardParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.clearPermissions(trx, actor, request.params.dashboardId))
      return reply.code(204).send(null)
    })
  }
}
