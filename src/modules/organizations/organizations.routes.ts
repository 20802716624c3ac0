import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Services } from '../../platform/services.ts'

export function organizationRoutes(_services: Services): FastifyPluginAsyncTypebox {
  return async () => undefined
}
