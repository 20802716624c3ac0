import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { requestContext, requireUserId } from '../../platform/auth.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { loadDemo, type DemoOptions, type DemoResult } from './demo.loader.ts'
import { DEFAULT_DAYS, DemoBody, DemoResponse } from './demo.schema.ts'

/** Writing transactions at once: a day's points and its records load side by side. */
const API_CONCURRENCY = 2
const NDJSON = 'application/x-ndjson'

/**
 * POST /api/v1/demo: a new "Acme Demo" organization owned by the signed-in caller, loaded
 * with generated data and a dashboard per data set. A session only (CSRF-checked like every
 * session POST): an API key is bound to one organization and cannot create another.
 *
 * The load takes seconds to tens of seconds. A client that accepts application/x-ndjson gets
 * its progress as it goes, one JSON line per loaded day, then a line with the result (or the
 * error): the first page shows a progress bar, and bytes keep flowing through proxies that
 * close idle requests. Other clients get the result as one JSON answer at the end.
 */
export function demoRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/demo', {
      schema: {
        tags: ['demo'],
        summary: 'Load the demo: a new organization "Acme Demo" with 30 days of generated data and four dashboards',
        description:
          'Creates an organization (slug acme-demo, acme-demo-2, … whichever is free) owned by the caller and pushes generated data through ' +
          'the ingest and metric points paths: product metrics with KPIs, three pipelines with their throughput and storage, workflow runs ' +
          'and service orders, each with a prebuilt dashboard. Every call creates a new organization. Takes a few seconds at the default size. ' +
          `With "Accept: ${NDJSON}" the answer is 200 and streams one line per loaded day, {"progress": {day, days, metricPoints, pipelineRecords}}, ` +
          'then {"result": <the 201 body>} or {"error": {code, message}}; a client that disconnects stops the load and the half-loaded organization is deleted.',
        body: DemoBody,
        response: { 201: DemoResponse, 409: ErrorResponse },
      },
    }, async (request, reply) => {
      const userId = requireUserId(request)
      const options: DemoOptions = { days: request.body?.days ?? DEFAULT_DAYS, scale: 1, concurrency: API_CONCURRENCY }
      const load = (extra: Partial<DemoOptions> = {}) => loadDemo(services, userId, requestContext(request), { ...options, ...extra })
      const logLoaded = (result: DemoResult) => request.log.info({ organizationId: result.organizationId, durationMs: result.durationMs, ...result.counts }, 'demo loaded')
      if (!request.headers.accept?.includes(NDJSON)) {
        const result = await load()
        logLoaded(result)
        return reply.code(201).send(result)
      }
      return streamProgress(reply, async (write, signal) => {
        const result = await load({ signal, onProgress: (progress) => write({ progress }) })
        logLoaded(result)
        return result
      })
    })
  }
}

/**
 * Answers 200 with an NDJSON stream: what `work` writes, then {"result"} or {"error"}. A client
 * gone before the end aborts `signal`.
 */
function streamProgress(reply: FastifyReply, work: (write: (line: object) => void, signal: AbortSignal) => Promise<object>): FastifyReply {
  const stream = new PassThrough()
  const aborted = new AbortController()
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) aborted.abort()
  })
  const write = (line: object) => stream.write(`${JSON.stringify(line)}\n`)
  work(write, aborted.signal).then(
    (result) => stream.end(`${JSON.stringify({ result })}\n`),
    (error: unknown) => {
      if (aborted.signal.aborted) {
        reply.log.info('demo load stopped: the client went away')
        return stream.end()
      }
      reply.log.error({ err: error }, 'demo load failed')
      const known = error instanceof AppError && error.statusCode < 500
      const body = known ? { code: error.code, message: error.message } : { code: 'demo_failed', message: 'The demo could not be loaded; the server log says why. Nothing of it was kept.' }
      stream.end(`${JSON.stringify({ error: body })}\n`)
    },
  )
  // Lines reach the client as they are written: no compression buffering, no proxy buffering.
  return reply.code(200).header('content-type', `${NDJSON}; charset=utf-8`).header('cache-control', 'no-store').header('x-accel-buffering', 'no').send(stream)
}
