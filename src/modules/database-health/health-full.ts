import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { assertRouteAccess, authenticate } from '../../platform/auth.ts'
import { AppError, unauthenticated } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { withInstanceAdmin } from '../admin/admin.access.ts'
import type { HealthCheckSummary } from './database-health.schema.ts'
import { readHealthCheckSummary } from './database-health.service.ts'

export interface FullHealth {
  data: HealthCheckSummary | null
  error: string | null
}

/**
 * The seed 004 health check for GET /api/health?full=1: instance administrators with a
 * signed-in session only (401 anonymous, 403 anyone else). /api/health sits outside /api/v1,
 * where requests are not authenticated, so this authenticates itself. When the database cannot
 * be reached nobody can be checked, and the answer says so instead of failing: the plain
 * health figures beside it already tell everyone that the database is down.
 */
export async function readFullHealth(services: Services, request: FastifyRequest): Promise<FullHealth> {
  try {
    request.actor = await authenticate(services, request)
  } catch (error) {
    if (error instanceof AppError) {
      throw error
    }
    return { data: null, error: `Administrator rights could not be checked: ${(error as Error).message}` }
  }
  if (request.actor.kind === 'anonymous') {
    throw unauthenticated('Sign in as an instance administrator to read /api/health?full=1')
  }
  assertRouteAccess(request, 'session')
  try {
    return await withInstanceAdmin(services, request, async (trx) => {
      await sql`select set_config('statement_timeout', '5s', true)`.execute(trx)
      return { data: await readHealthCheckSummary(trx), error: null }
    })
  } catch (error) {
    if (error instanceof AppError) {
      throw error
    }
    return { data: null, error: (error as Error).message }
  }
}
