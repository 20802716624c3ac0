import type { FastifyRequest } from 'fastify'
import type { ErrorRecorder } from './error-recorder.ts'
import type { ServerErrorReporter } from './http.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The organization a failed request acted in: its API key's, or the :orgId of the route for a
 * signed-in user (the writer keeps it only if the user is an active member). Anonymous
 * requests have none: nobody vouches for an id in their URL.
 */
function organizationOf(request: FastifyRequest): string | null {
  const actor = request.actor
  if (!actor || actor.kind === 'anonymous') {
    return null
  }
  if (actor.kind === 'apiKey') {
    return actor.orgId
  }
  const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId
  return typeof orgId === 'string' && UUID.test(orgId) ? orgId : null
}

/** Hands each server error of the HTTP layer to the recorder, with where it happened (no headers, no body). */
export function requestErrorReporter(recorder: ErrorRecorder): ServerErrorReporter {
  return (error, request, statusCode, level) => {
    try {
      const actor = request.actor
      recorder.record({
        error,
        source: 'http',
        level,
        organizationId: organizationOf(request),
        userId: actor && actor.kind !== 'anonymous' ? actor.userId : null,
        sessionId: actor?.kind === 'session' ? actor.sessionId : actor?.kind === 'apiKey' ? `key:${actor.keyId}` : null,
        requestId: request.id,
        context: {
          method: request.method,
          // The route template groups requests; the path (without its query string) names the one that failed.
          route: request.routeOptions.url ?? null,
          path: request.url.split('?')[0],
          query: request.query ?? null,
          statusCode,
          actor: actor?.kind ?? 'anonymous',
        },
      })
    } catch {
      // The recorder never throws; reading the request must not either.
    }
  }
}
