import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { withOrgActor } from '../organizations/org-actor.ts'
import { sharedLiveHub } from './shared-hub.ts'
import type { DataChange } from './live.notify.ts'

/** Changes are sent at most this often per stream, merged (a burst of batches is one message). */
const FLUSH_MS = 250
/** A comment line keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000

/**
 * GET /orgs/{orgId}/live: Server-Sent Events telling a dashboard which metrics and pipelines of
 * the organization got data, as batches commit (LISTEN/NOTIFY, see live.notify.ts); widgets
 * refetch only when their source is named. Membership is checked when the stream opens.
 */
export function liveRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const hub = sharedLiveHub(services)
    app.addHook('onClose', async () => hub.stop())

    app.get('/orgs/:orgId/live', {
      config: { auth: 'any', scope: 'read' },
      schema: {
        tags: ['dashboards'],
        summary: 'Server-Sent Events: `data` events { metrics: [{id, from, to}], pipelines: [id], all: [kind] } as ingest batches commit',
        params: Type.Object({ orgId: Type.String() }),
      },
    }, async (request, reply) => {
      const orgId = request.params.orgId.toLowerCase()
      await withOrgActor(services, request, request.params.orgId, async () => undefined)

      const out = reply.raw
      // The client may leave while LISTEN is being set up: cleanup runs whenever both happened.
      let cleanup: (() => void) | undefined
      let closed = false
      request.raw.on('close', () => {
        closed = true
        cleanup?.()
      })
      let pending: DataChange[] = []
      let timer: NodeJS.Timeout | undefined
      const flush = () => {
        timer = undefined
        const changes = pending
        pending = []
        out.write(`event: data\ndata: ${JSON.stringify(merge(changes))}\n\n`)
      }
      const unsubscribe = await hub.subscribe(orgId, (change) => {
        pending.push(change)
        timer ??= setTimeout(flush, FLUSH_MS)
      })
      // Headers and "ready" only once LISTEN is active: a batch committed after "ready" is never
      // missed, and a failure to listen is still an ordinary error answer.
      reply.hijack()
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      })

      out.write('retry: 3000\n\nevent: ready\ndata: {}\n\n')
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS)
      cleanup = () => {
        unsubscribe()
        clearInterval(heartbeat)
        if (timer) clearTimeout(timer)
      }
      if (closed) cleanup()
    })
  }
}

/** Many changes as one message: each metric with the union of its time ranges, pipelines by id. */
export function merge(changes: DataChange[]): { metrics: Array<{ id: string; from?: string; to?: string }>; pipelines: string[]; all: Array<'metric' | 'pipeline'> } {
  const metrics = new Map<string, { id: string; from?: string; to?: string }>()
  const pipelines = new Set<string>()
  const all = new Set<'metric' | 'pipeline'>()
  for (const change of changes) {
    if (!change.ids) {
      all.add(change.kind)
      continue
    }
    for (const id of change.ids) {
      if (change.kind === 'pipeline') {
        pipelines.add(id)
        continue
      }
      const seen = metrics.get(id)
      metrics.set(id, {
        id,
        ...(change.from ? { from: seen?.from && seen.from < change.from ? seen.from : change.from } : {}),
        ...(change.to ? { to: seen?.to && seen.to > change.to ? seen.to : change.to } : {}),
      })
    }
  }
  return { metrics: [...metrics.values()], pipelines: [...pipelines], all: [...all] }
}
