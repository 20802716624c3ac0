import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import { adminRoutes } from './modules/admin/admin.routes.ts'
import { apiKeyRoutes } from './modules/api-keys/api-keys.routes.ts'
import { auditRoutes } from './modules/audit/audit.routes.ts'
import { errorLogRoutes } from './modules/error-logs/error-logs.routes.ts'
import { authRoutes } from './modules/auth/auth.routes.ts'
import { dataQualityRoutes } from './modules/data-quality/data-quality.routes.ts'
import { dataSourceRoutes } from './modules/data-sources/data-sources.routes.ts'
import { healthRoutes } from './modules/health/health.routes.ts'
import { hookRoutes } from './modules/ingest/hooks.routes.ts'
import { ingestRoutes } from './modules/ingest/ingest.routes.ts'
import { dashboardRoutes } from './modules/dashboards/dashboards.routes.ts'
import { demoRoutes } from './modules/demo/demo.routes.ts'
import { widgetRoutes } from './modules/dashboards/widgets.routes.ts'
import { dashboardVersionRoutes } from './modules/dashboard-versions/dashboard-versions.routes.ts'
import { dashboardTransferRoutes } from './modules/dashboard-transfer/dashboard-transfer.routes.ts'
import { dashboardExportRoutes } from './modules/dashboard-export/dashboard-export.routes.ts'
import { sharingRoutes } from './modules/sharing/sharing.routes.ts'
import { allowEmbedFraming } from './modules/sharing/embed-framing.ts'
import { metricRoutes } from './modules/metrics/metrics.routes.ts'
import { mcpRoutes } from './modules/mcp/mcp.routes.ts'
import { toolCallRoutes } from './modules/mcp/tool-calls.routes.ts'
import { toolAnalyticsRoutes } from './modules/mcp/tool-analytics.routes.ts'
import { savedQueryRoutes } from './modules/saved-queries/saved-queries.routes.ts'
import { pointRoutes } from './modules/metrics/points.routes.ts'
import { mappingPreviewRoutes } from './modules/mappings/mappings.routes.ts'
import { organizationRoutes } from './modules/organizations/organizations.routes.ts'
import { pipelineHourlyRoutes } from './modules/pipeline-data/pipeline-hourly.routes.ts'
import { seriesRoutes } from './modules/timeseries/series.routes.ts'
import { widgetDataRoutes } from './modules/widget-data/widget-data.routes.ts'
import { liveRoutes } from './modules/live/live.routes.ts'
import { dashboardUsageRoutes } from './modules/dashboard-usage/usage.routes.ts'
import { pipelineRoutes } from './modules/pipelines/pipelines.routes.ts'
import { accountRoutes } from './modules/account/account.routes.ts'
import { teamRoutes } from './modules/teams/teams.routes.ts'
import { workflowRoutes } from './modules/workflows/workflows.routes.ts'
import { registerRequestLogging } from './modules/request-logs/request-logs.plugin.ts'
import { registerAccessCacheHooks } from './platform/auth-cache.ts'
import { requestLogRoutes } from './modules/request-logs/request-logs.routes.ts'
import { assertRouteAccess, authenticate, sessionCookieName, type Actor } from './platform/auth.ts'
import { AppError } from './platform/errors.ts'
import { csrfCheck, registerErrorHandling, registerSecurityHeaders } from './platform/http.ts'
import { loggerOptions } from './platform/logger.ts'
import { requestErrorReporter } from './platform/request-errors.ts'
import { httpMetricsHook } from './platform/metrics.ts'
import type { Services } from './platform/services.ts'

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist')

export type App = FastifyInstance

/** Builds the HTTP application; never listens (tests use app.inject). */
export async function buildApp(services: Services): Promise<App> {
  const app = Fastify({
    logger: loggerOptions(services.config),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id']
      return typeof incoming === 'string' && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID()
    },
    trustProxy: services.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Signed embed tokens travel in the path (/api/v1/embed/{token}) and exceed the default 100.
    routerOptions: { maxParamLength: 4096 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  registerErrorHandling(app, requestErrorReporter(services.errors))
  // Errors still buffered are written before the process lets go of the database.
  app.addHook('onClose', () => services.errors.close())
  registerSecurityHeaders(app, services)
  allowEmbedFraming(app, services)
  await app.register(fastifyCookie)
  httpMetricsHook(app)

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tessera API',
        version: '1.0.0',
        description:
          'Errors are `{ "error": { "code", "message", "details"? } }`. Browser sessions use the session cookie and must send ' +
          '`X-CSRF-Token` (from `GET /api/v1/me`) or `X-Requested-With: XMLHttpRequest` on POST/PUT/PATCH/DELETE. ' +
          'API keys use `Authorization: Bearer tsk_…`; a resource of another organization answers 404.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(services.config.publicUrl.startsWith('https:')) },
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created under /orgs/{orgId}/api-keys' },
        },
      },
    },
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true })

  app.decorateRequest<Actor | null>('actor', null)
  app.decorateRequest<string | null>('memberOrgId', null)
  await registerRequestLogging(app, services)
  // State-changing requests clear the short-lived session and access answers (issue 5).
  registerAccessCacheHooks(app, services)
  app.addHook('onRequest', async (request) => {
    request.actor = { kind: 'anonymous' }
    const config = request.routeOptions.config
    // Unknown routes answer 404 route_not_found to everyone, not 401 to anonymous callers.
    if (request.is404 || (!request.url.startsWith('/api/v1/') && !request.url.startsWith('/mcp'))) {
      return
    }
    const hasCookie = request.cookies[sessionCookieName(services.config.publicUrl.startsWith('https:'))] !== undefined
    csrfCheck(request, services, hasCookie && !request.headers.authorization)
    request.actor = await authenticate(services, request)
    const provided = request.headers['x-csrf-token']
    if (request.actor.kind === 'session' && typeof provided === 'string' && provided !== request.actor.csrfToken) {
      throw new AppError('csrf_failed', 403, 'The X-CSRF-Token header does not match this session')
    }
    assertRouteAccess(request, config.auth ?? 'session', config.scope)
  })

  await app.register(healthRoutes(services))
  await app.register(mcpRoutes(services))
  await app.register(
    async (api) => {
      await api.register(authRoutes(services))
      await api.register(accountRoutes(services))
      await api.register(organizationRoutes(services))
      await api.register(teamRoutes(services))
      await api.register(apiKeyRoutes(services))
      await api.register(auditRoutes(services))
      await api.register(errorLogRoutes(services))
      await api.register(adminRoutes(services))
      await api.register(pipelineRoutes(services))
      await api.register(pipelineHourlyRoutes(services))
      await api.register(dataQualityRoutes(services))
      await api.register(workflowRoutes(services))
      await api.register(mappingPreviewRoutes(services))
      await api.register(ingestRoutes(services))
      await api.register(hookRoutes(services))
      await api.register(dataSourceRoutes(services))
      await api.register(metricRoutes(services))
      await api.register(savedQueryRoutes(services))
      await api.register(dashboardRoutes(services))
      await api.register(widgetRoutes(services))
      await api.register(dashboardVersionRoutes(services))
      await api.register(dashboardTransferRoutes(services))
      await api.register(dashboardExportRoutes(services))
      await api.register(sharingRoutes(services))
      await api.register(pointRoutes(services))
      await api.register(seriesRoutes(services))
      await api.register(widgetDataRoutes(services))
      await api.register(liveRoutes(services))
      await api.register(demoRoutes(services))
      await api.register(dashboardUsageRoutes(services))
      await api.register(toolCallRoutes(services))
      await api.register(toolAnalyticsRoutes(services))
      await api.register(requestLogRoutes(services))
    },
    { prefix: '/api/v1' },
  )

  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () => app.swagger())

  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/', wildcard: false, index: ['index.html'] })
    // The SPA owns every other path; API paths keep their JSON 404.
    app.get('/*', { schema: { hide: true }, config: { auth: 'none' } }, async (request, reply) => {
      if (request.url.startsWith('/api/')) {
        throw new AppError('route_not_found', 404, `No route ${request.method} ${request.url.split('?')[0]}`)
      }
      return reply.type('text/html').sendFile('index.html')
    })
  }
  return app
}
