import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'

export function teamRoutes(_services: Services): FastifyPluginAsyncTypebox {
  return async () => undefined
}
