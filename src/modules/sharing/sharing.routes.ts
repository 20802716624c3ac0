import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import type { OrgRole } from '../../platform/auth.ts'
import type { Services } from '../../platform/services.ts'
import { RateLimiter } from '../auth/rate-limit.ts'
import { viewContext } from '../dashboards/dashboards.service.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { SERIES_CACHE_TTL_SECONDS } from '../timeseries/series.cache.ts'
import { openEmbed, openPublicLink, publicSafe, sharedData, sharedPayload } from './shared-view.service.ts'
import { DashboardShareParams, EmbedUrlBody, EmbedUrlResponse, PublicDashboard, PublicDashboardData, PublicLinkBody, PublicLinkResponse, SharedDataQuery, TokenParams } from './sharing.schema.ts'
import * as service from './sharing.service.ts'

const tags = ['sharing']
const managers = { roles: ['owner', 'admin'] as OrgRole[] }
/** No session, no API key, no CSRF (GET only): whoever holds the link. */
const PUBLIC = { auth: 'none' } as const
const errorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) })

/** Public links and signed embeds of dashboards (issue 5, sharing). */
export function sharingRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Per client address and process, for the anonymous routes only (like the sign-in limit).
    const limiter = new RateLimiter()
    const limit = async (request: FastifyRequest) => limiter.hit(`shared:${request.ip}`, await services.settings.integer('sharing.public_rate_limit_per_minute', 300))
    const ttl = () => services.settings.integer('timeseries.cache_ttl_seconds', SERIES_CACHE_TTL_SECONDS)

    app.post('/orgs/:orgId/dashboards/:dashboardId/public-link', {
      schema: {
        tags,
        summary: 'Create or regenerate the public link (admin permission on the dashboard)',
        description:
          'Anyone with the link sees the dashboard read-only, without signing in: names, widget titles, positions, display options and data points, never queries, sources or ids. ' +
          'The token is shown only in this response; calling again issues a new one and the old one stops working. ' +
          "allowViewerChanges lets viewers change the time range and filters; otherwise the owner's saved ones apply.",
        params: DashboardShareParams,
        body: Type.Optional(PublicLinkBody),
        response: { 201: PublicLinkResponse },
      },
    }, async (request, reply) =>
      reply.code(201).send(await withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        service.createPublicLink(trx, actor, services.config.publicUrl, request.params.dashboardId, request.body ?? {}, viewContext(request)))))

    app.delete('/orgs/:orgId/dashboards/:dashboardId/public-link', {
      schema: { tags, summary: 'Revoke the public link (admin permission; idempotent): the token answers 404 from now on', params: DashboardShareParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.revokePublicLink(trx, actor, request.params.dashboardId, viewContext(request)))
      return reply.code(204).send(null)
    })

    app.post('/orgs/:orgId/dashboards/:dashboardId/embed-url', {
      schema: {
        tags,
        summary: 'A signed, expiring embed URL (admin permission on the dashboard)',
        description:
          "Signed with the organization's embed key (HMAC-SHA256). Filters, and from/to when given, are locked into the signature; viewers may still pick a time zone, and the time range when none was signed. " +
          'Rotating the embed key invalidates every URL signed before.',
        params: DashboardShareParams,
        body: Type.Optional(EmbedUrlBody),
        response: { 200: EmbedUrlResponse },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) =>
        service.createEmbedUrl(trx, services.box, actor, services.config.publicUrl, request.params.dashboardId, request.body ?? {}, viewContext(request))))

    app.post('/orgs/:orgId/embed-key/rotate', {
      schema: { tags, summary: "Replace the organization's embed signing key (owners and admins): every earlier embed URL stops working", params: OrgParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => service.rotateEmbedKey(trx, services.box, actor), managers)
      return reply.code(204).send(null)
    })

    app.get('/public/dashboards/:token', {
      config: PUBLIC,
      onRequest: limit,
      schema: {
        tags,
        summary: 'A publicly shared dashboard (no sign-in)',
        description: 'The allowlisted payload. An unknown, revoked or malformed token answers 404 public_dashboard_not_found; a deleted dashboard is not served.',
        params: TokenParams,
        response: { 200: PublicDashboard, 404: errorBody },
      },
    }, async (request) => publicSafe(async () => sharedPayload(services, request, await openPublicLink(services, request.params.token))))

    app.get('/public/dashboards/:token/data', {
      config: PUBLIC,
      onRequest: limit,
      schema: {
        tags,
        summary: "A publicly shared dashboard's data (no sign-in)",
        description: "Widgets keyed like the payload. Unless the link allows viewer changes, the owner's saved range and filters apply and from, to or filters answer 403 public_view_locked; tz is always allowed.",
        params: TokenParams,
        querystring: SharedDataQuery,
        response: { 200: PublicDashboardData, 403: errorBody, 404: errorBody },
      },
    }, async (request) => publicSafe(async () => sharedData(services, request, await openPublicLink(services, request.params.token), request.query, await ttl())))

    app.get('/embed/:token', {
      config: PUBLIC,
      onRequest: limit,
      schema: {
        tags,
        summary: 'An embedded dashboard (signed URL, no sign-in)',
        description: 'The same payload as a public link, with the signed filters locked. A tampered token or one signed before the last key rotation answers 403 embed_invalid; an expired one 410 embed_expired.',
        params: TokenParams,
        response: { 200: PublicDashboard, 403: errorBody, 404: errorBody, 410: errorBody },
      },
    }, async (request) => publicSafe(async () => sharedPayload(services, request, await openEmbed(services, request.params.token))))

    app.get('/embed/:token/data', {
      config: PUBLIC,
      onRequest: limit,
      schema: {
        tags,
        summary: "An embedded dashboard's data (signed URL, no sign-in)",
        description: 'filters answer 403 public_view_locked (the signed ones apply); from/to are allowed only when the URL signed no range; tz is always allowed.',
        params: TokenParams,
        querystring: SharedDataQuery,
        response: { 200: PublicDashboardData, 403: errorBody, 404: errorBody, 410: errorBody },
      },
    }, async (request) => publicSafe(async () => sharedData(services, request, await openEmbed(services, request.params.token), request.query, await ttl())))
  }
}
