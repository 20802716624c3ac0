import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { DashboardParams, DashboardResponse } from '../dashboards/dashboards.schema.ts'
import { viewContext } from '../dashboards/dashboards.service.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { DashboardDocument, ImportBody, ImportQuery } from './dashboard-transfer.schema.ts'
import * as service from './dashboard-transfer.service.ts'

const tags = ['dashboards']
const READ = { auth: 'any', scope: 'read' } as const
/** Importing creates a dashboard: owners, admins and members, as POST /dashboards. */
const creators = { roles: ['owner', 'admin', 'member'] as OrgRole[] }

/** Dashboards as portable JSON documents: export, and import into any organization (issue 5). */
export function dashboardTransferRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/dashboards/:dashboardId/export', {
      config: READ,
      schema: {
        tags,
        summary: 'The dashboard as a portable JSON document, its widgets naming their sources by name (view permission)',
        description: 'format "tessera.dashboard", formatVersion 1. Data queries name their metric, pipeline or saved query instead of its id, so the document imports into another organization or instance. Widgets come in grid order. Counts as an export in the usage log.',
        params: DashboardParams,
        response: { 200: DashboardDocument },
      },
    }, async (request, reply) => {
      const document = await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.exportDashboard(trx, actor, request.params.dashboardId, viewContext(request)))
      const file = document.dashboard.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'dashboard'
      return reply.header('content-disposition', `attachment; filename="${file}.dashboard.json"`).send(document)
    })

    app.post('/orgs/:orgId/dashboards/import', {
      schema: {
        tags,
        summary: 'A new dashboard from an exported document (owner, admin, member)',
        description:
          'Sources are matched by name in this organization. Names without a match answer 422 unresolved_references with details [{widget, title, kind, name}]; with allowMissing=true those widgets are imported without a data query, config.missingSource naming what they used. ' +
          'A document of another format or formatVersion is a 400 invalid_dashboard_document. The slug comes from the name (or the body\'s name), de-duplicated.',
        params: OrgParams,
        querystring: ImportQuery,
        body: ImportBody,
        response: { 201: DashboardResponse },
      },
    }, async (request, reply) =>
      reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        service.importDashboard(trx, actor, request.body, { allowMissing: request.query.allowMissing ?? false }, viewContext(request)), creators)))
  }
}
