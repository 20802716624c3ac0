import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { readMigrations } from '../../platform/migrate.ts'
import { dbPoolConnections, registry } from '../../platform/metrics.ts'
import type { Services } from '../../platform/services.ts'

const HEARTBEAT_STALE_MS = 60_000

export function healthRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/health', {
      config: { auth: 'none' },
      schema: {
        tags: ['platform'],
        summary: 'Database reachability, migration state and worker heartbeat (503 when degraded)',
        response: {
          200: Type.Object({ status: Type.String(), database: Type.Object({}, { additionalProperties: true }), migrations: Type.Object({}, { additionalProperties: true }), worker: Type.Object({}, { additionalProperties: true }) }),
          503: Type.Object({ status: Type.String(), database: Type.Object({}, { additionalProperties: true }), migrations: Type.Object({}, { additionalProperties: true }), worker: Type.Object({}, { additionalProperties: true }) }),
        },
      },
    }, async (_request, reply) => {
      const started = Date.now()
      let database: { reachable: boolean; latencyMs?: number; error?: string } = { reachable: false }
      let migrations: { applied: number; expected: number; pending: string[] } = { applied: 0, expected: 0, pending: [] }
      let worker: { alive: boolean; lastSeenAt: string | null; workers: number } = { alive: false, lastSeenAt: null, workers: 0 }
      try {
        const applied = await sql<{ version: string }>`select version from ops.schema_migrations`.execute(services.db)
        database = { reachable: true, latencyMs: Date.now() - started }
        const appliedSet = new Set(applied.rows.map((row) => row.version))
        const expected = readMigrations()
        migrations = { applied: appliedSet.size, expected: expected.length, pending: expected.filter((m) => !appliedSet.has(m.version)).map((m) => m.file) }
        const beats = await sql<{ last: Date | null; n: string }>`select max(last_seen_at) as last, count(*) filter (where last_seen_at > now() - interval '1 minute') as n from ops.worker_heartbeats`.execute(services.db)
        const last = beats.rows[0]?.last ?? null
        worker = { alive: last !== null && Date.now() - last.getTime() < HEARTBEAT_STALE_MS, lastSeenAt: last?.toISOString() ?? null, workers: Number(beats.rows[0]?.n ?? 0) }
      } catch (error) {
        database = { reachable: false, error: (error as Error).message }
      }
      const healthy = database.reachable && migrations.pending.length === 0 && worker.alive
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', database, migrations, worker })
    })

    app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (_request, reply) => {
      dbPoolConnections.set({ state: 'total' }, services.pool.totalCount)
      dbPoolConnections.set({ state: 'idle' }, services.pool.idleCount)
      dbPoolConnections.set({ state: 'waiting' }, services.pool.waitingCount)
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  }
}
