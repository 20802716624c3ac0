import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { DatabaseHealthQuery, DatabaseHealthResponse } from './database-health.schema.ts'
import { readDatabaseHealth } from './database-health.service.ts'

/** GET /admin/database: what the Database page shows (instance administrators). */
export function databaseHealthRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/database', {
      schema: {
        tags: ['admin'],
        summary: 'Database health: size, table and index statistics, cache hit ratio, connections, long transactions, slow queries, replication, partitions and the seed 004 health check (instance administrators)',
        description:
          'Each section is `{ data, error }`: a section that fails reports its error and the others still answer. ' +
          '`slowQueries.hint` says how to enable pg_stat_statements when it is not available. ' +
          '`overview.privilegesHint` says how to grant pg_monitor when Tessera sees only its own sessions.',
        querystring: DatabaseHealthQuery,
        response: { 200: DatabaseHealthResponse, 403: ErrorResponse },
      },
    }, async (request) => withInstanceAdmin(services, request, (trx) => readDatabaseHealth(trx, request.query)))
  }
}
