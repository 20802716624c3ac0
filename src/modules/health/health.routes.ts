import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { readMigrations } from '../../platform/migrate.ts'
import { dbPoolConnections, registry } from '../../platform/metrics.ts'
import type { Services } from '../../platform/services.ts'
import { refreshDatabaseGauges } from '../database-health/database-health.metrics.ts'
import { HealthCheckSummary } from '../database-health/database-health.schema.ts'
import { readFullHealth, type FullHealth } from '../database-health/health-full.ts'

const HEARTBEAT_STALE_MS = 60_000

const HealthBody = Type.Object({
  status: Type.String(),
  database: Type.Object({}, { additionalProperties: true }),
  migrations: Type.Object({}, { additionalProperties: true }),
  worker: Type.Object({}, { additionalProperties: true }),
  databaseHealth: Type.Optional(Type.Object({ data: Type.Union([HealthCheckSummary, Type.Null()]), error: Type.Union([Type.String(), Type.Null()]) })),
})

export function healthRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/health', {
      config: { auth: 'none' },
      schema: {
        tags: ['platform'],
        summary: 'Database reachability, migration state and worker heartbeat (503 when degraded)',
        description:
          '`full=1` adds `databaseHealth`, the seed 004 health check (OK / WARNING / CRITICAL per metric with its thresholds), ' +
          'for a signed-in instance administrator only (401 / 403 otherwise); it does not change the status code.',
        querystring: Type.Object({ full: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')])) }),
        response: { 200: HealthBody, 503: HealthBody },
      },
    }, async (request, reply) => {
      // Checked first: a caller without the right gets 401/403, not the plain figures.
      const databaseHealth: FullHealth | undefined = request.query.full === '1' || request.query.full === 'true' ? await readFullHealth(services, request) : undefined
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
      return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'degraded', database, migrations, worker, ...(databaseHealth ? { databaseHealth } : {}) })
    })

    app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (_request, reply) => {
      dbPoolConnections.set({ state: 'total' }, services.pool.totalCount)
      dbPoolConnections.set({ state: 'idle' }, services.pool.idleCount)
      dbPoolConnections.set({ state: 'waiting' }, services.pool.waitingCount)
      await refreshDatabaseGauges(services)
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  }
}
