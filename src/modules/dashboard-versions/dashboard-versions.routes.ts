import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { DashboardParams } from '../dashboards/dashboards.schema.ts'
import { viewContext } from '../dashboards/dashboards.service.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { saveDocument } from './dashboard-document.service.ts'
import { SaveDocumentBody, SavedDocument, VersionDetail, VersionDetailQuery, VersionList, VersionListQuery, VersionParams } from './dashboard-versions.schema.ts'
import * as service from './dashboard-versions.service.ts'

const tags = ['dashboards']
const READ = { auth: 'any', scope: 'read' } as const

/** Saving a dashboard as one document, its version history with diffs, and restore (issue 5). */
export function dashboardVersionRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put('/orgs/:orgId/dashboards/:dashboardId/document', {
      schema: {
        tags,
        summary: 'Save the whole dashboard at once: settings and every widget, as one version (edit permission)',
        description:
          'Widgets with an id are updated, widgets without one are created, widgets of the dashboard not listed are deleted; all in one transaction, after every widget was validated as the single-widget endpoints do (one invalid widget refuses the whole save with 400 and field details such as widgets/2/dataQuery). ' +
          'An id that is not a widget of this dashboard is a 400. With baseVersion, a save started from an older version than the latest answers 409 version_conflict naming the latest version. The summary is written from the changes when left out.',
        params: DashboardParams,
        body: SaveDocumentBody,
        response: { 200: SavedDocument },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => saveDocument(trx, actor, request.params.dashboardId, request.body, viewContext(request))))

    app.get('/orgs/:orgId/dashboards/:dashboardId/versions', {
      config: READ,
      schema: {
        tags,
        summary: "A dashboard's versions, newest first (view permission)",
        description: 'Every save (creation, settings, widgets, layout, document save, restore) is one version, with its author, time, summary and widget count.',
        params: DashboardParams,
        querystring: VersionListQuery,
        response: { 200: VersionList },
      },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => service.listVersions(trx, actor, request.params.dashboardId, request.query)))

    app.get('/orgs/:orgId/dashboards/:dashboardId/versions/:version', {
      config: READ,
      schema: {
        tags,
        summary: 'One version: its snapshot and a readable diff (view permission)',
        description: 'The diff is against the version before it, or against ?against=N: settings changed (field, from, to), widgets added, removed and changed (which fields), and layout moves (from and to rectangles). An unknown version is a 404.',
        params: VersionParams,
        querystring: VersionDetailQuery,
        response: { 200: VersionDetail },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => service.getVersion(trx, actor, request.params.dashboardId, request.params.version, request.query)))

    app.post('/orgs/:orgId/dashboards/:dashboardId/versions/:version/restore', {
      schema: {
        tags,
        summary: 'Make an old version current again, as a new version "Restored version N" (edit permission)',
        description: 'Settings and widgets come back as they were; widgets that still exist keep their ids, removed ones are created anew. 409 version_not_restorable when a widget of that version names a source that no longer exists.',
        params: VersionParams,
        response: { 200: SavedDocument },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => service.restoreVersion(trx, actor, request.params.dashboardId, request.params.version, viewContext(request))))
  }
}
