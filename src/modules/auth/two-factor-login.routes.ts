import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Services } from '../../platform/services.ts'

export function twoFactorLoginRoutes(_services: Services, _limit: (request: FastifyRequest) => Promise<void>): FastifyPluginAsyncTypebox {
  return async () => undefined
}
