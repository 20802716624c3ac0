import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { DashboardParams } from '../dashboards/dashboards.schema.ts'
import { viewContext } from '../dashboards/dashboards.service.ts'
import { WidgetParams } from '../dashboards/widgets.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { savedQueryRunContext } from '../saved-queries/saved-queries.service.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import { toCsv } from './csv.ts'
import { CONTENT_TYPES, DashboardPdfQuery, FileResponse, WidgetExportQuery } from './dashboard-export.schema.ts'
import * as service from './dashboard-export.service.ts'
import { renderDashboardPdf } from './dashboard-pdf.ts'
import { attachment } from './filename.ts'
import { toXlsx } from './xlsx.ts'

const tags = ['dashboards']
const READ = { auth: 'any', scope: 'read' } as const

/** Downloads (issue 5, "Export"): a widget's data as CSV or XLSX, the whole dashboard as a PDF rendered on the server. */
export function dashboardExportRoutes(services: Services): FastifyPluginAsyncTypebox {
  const savedQueries = savedQueryRunContext(services)
  const dataContext = async (): Promise<service.DataContext> => ({ cacheTtlSeconds: await services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS), savedQueries })

  return async (app) => {
    app.get('/orgs/:orgId/dashboards/:dashboardId/widgets/:widgetId/export', {
      config: READ,
      schema: {
        tags,
        summary: "Download a widget's data as CSV or XLSX (view permission)",
        description:
          'The data the dashboard shows for the same from, to, tz and filters (defaults as GET …/data). A series gives one row per bucket: time (ISO 8601 in tz), group (when grouped), value, count, min, max; ' +
          "a saved-query widget gives its result's columns. CSV follows RFC 4180 and prefixes text starting with = + - @ tab or CR with an apostrophe (formula injection). " +
          'XLSX has a header row, times as Excel dates in tz and numbers as numbers. Text and image widgets: 400 widget_has_no_data; a widget whose data fails: 422 widget_data_error with the reason.',
        params: WidgetParams,
        querystring: WidgetExportQuery,
        produces: [CONTENT_TYPES.csv, CONTENT_TYPES.xlsx],
        response: { 200: FileResponse('The file, as an attachment named after the widget title') },
      },
    }, async (request, reply) => {
      const { format = 'csv', ...query } = request.query
      const context = await dataContext()
      const result = await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        service.widgetExport(trx, actor, request.params.dashboardId, request.params.widgetId, query, context, viewContext(request)))
      const body = format === 'csv' ? Buffer.from(toCsv(result.table, result.tz), 'utf8') : await toXlsx(result.table, result.tz, result.title)
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', attachment(result.title, format))
        .header('cache-control', 'private, no-store')
        .send(body)
    })

    app.get('/orgs/:orgId/dashboards/:dashboardId/export.pdf', {
      config: READ,
      schema: {
        tags,
        summary: 'Download the dashboard as a PDF rendered on the server (view permission)',
        description:
          'A4 landscape pages: the title, the range and an "as of" line, then the widgets placed as on the 12-column grid (a row of widgets that does not fit starts a new page). ' +
          'Charts are vector drawings (ECharts server-side SVG), stat cards show the value, unit and change vs the previous period, tables their first rows, text widgets their Markdown as text, ' +
          'image widgets their address (the server fetches no image), and a widget whose data fails an error box. No browser is involved.',
        params: DashboardParams,
        querystring: DashboardPdfQuery,
        produces: [CONTENT_TYPES.pdf],
        response: { 200: FileResponse('The PDF, as an attachment named after the dashboard') },
      },
    }, async (request, reply) => {
      const context = await dataContext()
      const model = await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        service.dashboardPdfModel(trx, actor, request.params.dashboardId, request.query, context, viewContext(request)))
      // Rendering is CPU work on data already read: it runs after the transaction has committed.
      const pdf = await renderDashboardPdf(model)
      return reply
        .header('content-type', CONTENT_TYPES.pdf)
        .header('content-disposition', attachment(model.name, 'pdf'))
        .header('cache-control', 'private, no-store')
        .send(pdf)
    })
  }
}
