import type { FastifyInstance } from 'fastify'
import { LOG_WRITER_ROLE, derivedRolePassword, withCredentials } from '../../platform/database-roles.ts'
import type { Services } from '../../platform/services.ts'
import { captureEntry, errorOf, isLogged, type CapturedError } from './request-logs.capture.ts'
import { requestLogsDropped } from './request-logs.metrics.ts'
import { RequestLogWriter } from './request-logs.writer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The request-log writer of this app (tests flush and inspect it). */
    requestLogs: RequestLogWriter | null
  }
  interface FastifyRequest {
    /** Milliseconds from arrival to the route handler (routing, parsing, authentication); -1 before. */
    requestLogQueueMs: number
    requestLogError: CapturedError | null
  }
}

/**
 * Request logging (telemetry.request_logs): hooks that put each request's entry into the
 * writer's memory buffer once the response is sent, and the writer's start and graceful
 * shutdown with the app. Nothing here awaits I/O on a request's path: onResponse runs after
 * the response went out, builds the entry (bodies cut to analytics.request_body_max_bytes)
 * and returns; the writer's batches run on their own timer.
 */
export async function registerRequestLogging(app: FastifyInstance, services: Services): Promise<void> {
  const url = writerUrl(services)
  const writer = url ? RequestLogWriter.connect(url, services.settings, app.log) : null
  app.decorate('requestLogs', writer)
  app.decorateRequest('requestLogQueueMs', -1)
  app.decorateRequest('requestLogError', null)
  if (!writer) {
    app.log.warn('request logging is off: no connection string for the log writer')
    return
  }
  await writer.start()

  // Callback-style hooks: an async hook costs a promise per request for nothing.
  app.addHook('preHandler', (request, reply, done) => {
    request.requestLogQueueMs = reply.elapsedTime
    done()
  })
  app.addHook('onError', (request, _reply, error, done) => {
    request.requestLogError = errorOf(error)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    if (writer.settings.enabled && isLogged(request.url)) {
      try {
        writer.add(captureEntry(request, reply, {
          bodyMaxBytes: writer.settings.bodyMaxBytes,
          queueMs: request.requestLogQueueMs < 0 ? null : request.requestLogQueueMs,
          error: request.requestLogError,
          organizationId: request.memberOrgId,
        }))
      } catch (error) {
        requestLogsDropped.inc({ reason: 'capture_failed' })
        request.log.warn({ err: error }, 'request log entry not captured')
      }
    }
    done()
  })
  // Fastify closes the server (in-flight requests finish) before the plugins' onClose hooks
  // run, so every response has handed over its entry by now.
  app.addHook('onClose', async () => {
    await writer.close()
  })
}

/**
 * DATABASE_LOG_WRITER_URL, or the tessera_log_writer login (password derived from
 * TESSERA_SECRET_KEY) on the runtime connection's server and database.
 */
function writerUrl(services: Services): string | undefined {
  if (services.config.databaseLogWriterUrl) {
    return services.config.databaseLogWriterUrl
  }
  const runtime = services.pool.options.connectionString
  return runtime ? withCredentials(runtime, LOG_WRITER_ROLE, derivedRolePassword(services.config.secretKey, LOG_WRITER_ROLE)) : undefined
}
