import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from './errors.ts'
import type { Services } from './services.ts'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown): FastifyReply {
  return reply.code(status).send({ error: details === undefined ? { code, message } : { code, message, details } })
}

/** Told about every server error (5xx) the handler answers; must return at once and never throw. */
export type ServerErrorReporter = (error: unknown, request: FastifyRequest, statusCode: number, level: 'warn' | 'error') => void

/** Maps every error to `{ error: { code, message, details? } }`; 5xx bodies never carry internals. */
export function registerErrorHandling(app: FastifyInstance, reportServerError: ServerErrorReporter = () => undefined): void {
  app.setErrorHandler((error: FastifyError & { cause?: unknown }, request, reply) => {
    if (error instanceof AppError) {
      if (error.isReportable) {
        request.log.error({ err: error, cause: error.cause }, error.message)
        reportServerError(error, request, error.statusCode, 'error')
      }
      for (const [name, value] of Object.entries(error.options.headers ?? {})) {
        reply.header(name, value)
      }
      return sendError(reply, error.statusCode, error.code, error.message, error.details)
    }
    if (error.validation) {
      const details = error.validation.map((issue) => ({
        field: `${error.validationContext ?? 'body'}${issue.instancePath.replace(/\//g, '.')}${issue.keyword === 'required' ? `.${String((issue.params as { missingProperty?: string }).missingProperty)}` : ''}`,
        message: issue.message ?? 'is invalid',
      }))
      const first = details[0]
      return sendError(reply, 400, 'validation_failed', first ? `${first.field} ${first.message}` : 'The request is invalid', details)
    }
    const pgCode = (error as { code?: string }).code
    if (pgCode === '23505') {
      return sendError(reply, 409, 'conflict', 'A resource with these values already exists')
    }
    if (pgCode === '42501') {
      return sendError(reply, 404, 'not_found', 'The resource does not exist or you do not have access to it')
    }
    if (pgCode === '23514' || pgCode === '22P02' || pgCode === '23503' || pgCode === '22001') {
      return sendError(reply, 400, 'validation_failed', 'The request contains a value the database rejected')
    }
    // A deadlock or serialization failure rolled the whole transaction back: nothing of the
    // request was stored, and the same request will most likely succeed when sent again.
    if (pgCode === '40P01' || pgCode === '40001') {
      request.log.warn({ err: error }, 'transaction aborted by a concurrency conflict')
      reportServerError(error, request, 503, 'warn')
      reply.header('retry-after', '1')
      return sendError(reply, 503, 'retry_later', 'The request conflicted with concurrent work and was not applied; send it again')
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 415, 'unsupported_media_type', 'Send the request body as application/json')
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || (error.statusCode === 400 && error instanceof SyntaxError)) {
      return sendError(reply, 400, 'invalid_json', 'The request body is not valid JSON')
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, 'payload_too_large', 'The request body is too large')
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, error.statusCode === 429 ? 'rate_limited' : 'validation_failed', error.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    reportServerError(error, request, 500, 'error')
    return sendError(reply, 500, 'internal_error', 'Something went wrong on our side; the error was logged')
  })

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) {
      return sendError(reply, 404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`)
    }
    return sendError(reply, 404, 'route_not_found', 'Not found')
  })
}

export function registerSecurityHeaders(app: FastifyInstance, services: Services): void {
  const https = services.config.publicUrl.startsWith('https:')
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-frame-options', 'DENY')
    reply.header('cross-origin-opener-policy', 'same-origin')
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()')
    if (!reply.hasHeader('content-security-policy')) {
      reply.header(
        'content-security-policy',
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
      )
    }
    if (https) {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
    }
    if (request.url.startsWith('/api/')) {
      reply.header('cache-control', 'no-store')
    }
    return payload
  })
}

function originAllowed(request: FastifyRequest, services: Services): boolean {
  const origin = request.headers.origin
  if (!origin) {
    return true
  }
  const allowed = new Set([new URL(services.config.publicUrl).origin])
  const host = request.headers.host
  if (host) {
    allowed.add(`http://${host}`)
    allowed.add(`https://${host}`)
  }
  return allowed.has(origin)
}

/**
 * CSRF: a state-changing request that a browser could send with the session cookie must
 * carry a header a cross-site form cannot set (X-CSRF-Token, or X-Requested-With), and
 * a cross-origin Origin / Sec-Fetch-Site is refused outright. Bearer requests carry no
 * ambient credentials, so they are exempt.
 */
export function csrfCheck(request: FastifyRequest, services: Services, hasSessionCookie: boolean): void {
  if (!UNSAFE_METHODS.has(request.method) || request.headers.authorization) {
    return
  }
  if (request.headers['sec-fetch-site'] === 'cross-site' || !originAllowed(request, services)) {
    throw new AppError('csrf_failed', 403, 'Cross-site requests are not allowed')
  }
  if (!hasSessionCookie) {
    return
  }
  const token = request.headers['x-csrf-token']
  const requestedWith = request.headers['x-requested-with']
  if ((typeof token === 'string' && token.length > 0) || requestedWith === 'XMLHttpRequest') {
    return
  }
  throw new AppError('csrf_failed', 403, 'Missing CSRF header: send X-CSRF-Token (from GET /api/v1/me) or X-Requested-With: XMLHttpRequest')
}
