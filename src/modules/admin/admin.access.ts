import type { FastifyRequest } from 'fastify'
import { isInstanceAdmin, requestContext, requireUserId } from '../../platform/auth.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { forbidden } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'

/**
 * Opens the request's transaction and refuses anyone who is not an instance administrator.
 * The policies enforce the same rule row by row; this check turns "no rows" into a clear 403.
 */
export async function withInstanceAdmin<T>(services: Services, request: FastifyRequest, fn: (trx: Trx, adminId: string) => Promise<T>): Promise<T> {
  const adminId = requireUserId(request)
  return withContext(services.db, requestContext(request), async (trx) => {
    if (!(await isInstanceAdmin(trx))) {
      throw forbidden('This action needs an instance administrator')
    }
    return fn(trx, adminId)
  })
}
