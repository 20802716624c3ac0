import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { readStorage } from './storage.repository.ts'
import { StorageResponse } from './storage.schema.ts'

/** GET /admin/storage: what the Storage page shows (instance administrators). */
export function storageRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/storage', {
      schema: {
        tags: ['admin'],
        summary: 'Partitions, compressed segments, retention policies, maintenance runs and the series query cache (instance administrators)',
        description:
          'Sizes include indexes and TOAST. Compressed days list the bytes, points and the estimated compression ratio. `rollup` is present once the rollup engine is installed. ' +
          '`seriesCache`: hits, misses, hit rate and median / p95 query time of metric series queries over the last hour and 24 hours (all organizations), and the entries in ts.query_cache.',
        response: { 200: StorageResponse, 403: ErrorResponse },
      },
    }, async (request) => withInstanceAdmin(services, request, (trx) => readStorage(trx)))
  }
}
