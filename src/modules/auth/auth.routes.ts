import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { clearSessionCookie, csrfTokenFor, isInstanceAdmin, requestContext, setSessionCookie } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { recordSecurityEvent } from '../audit/security-events.ts'
import { LoginBody, LoginResponse, MessageResponse, RegisterBody, SetupBody } from './auth.schema.ts'
import { completeSetup, login, register, setupRequired, type LoginOutcome } from './auth.service.ts'
import { passwordResetRoutes } from './password-reset.routes.ts'
import { RateLimiter } from './rate-limit.ts'
import { revokeSessions } from './sessions.service.ts'
import { twoFactorLoginRoutes } from './two-factor-login.routes.ts'
import { toUserResponse } from './users.mapper.ts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'

export async function signedInResponse(services: Services, request: FastifyRequest, reply: FastifyReply, outcome: LoginOutcome) {
  setSessionCookie(services, reply, outcome.token, outcome.absoluteExpiresAt)
  if (outcome.kind === 'mfa_required') {
    return { mfaRequired: true }
  }
  const user = await withContext(services.db, { ...requestContext(request), userId: outcome.userId }, async (trx) => {
    const row = await trx.selectFrom('auth.users').selectAll().where('id', '=', outcome.userId).executeTakeFirstOrThrow()
    return toUserResponse(row, await isInstanceAdmin(trx))
  })
  return { user, csrfToken: csrfTokenFor(services, outcome.token) }
}

export function authRoutes(services: Services): FastifyPluginAsyncTypebox {
  const limiter = new RateLimiter()
  const limit = async (request: FastifyRequest) => limiter.hit(request.ip, await services.settings.integer('auth.login_rate_limit_per_minute', 30))

  return async (app) => {
    app.get('/setup', {
      config: { auth: 'none' },
      schema: { tags: ['auth'], summary: 'Whether this instance still needs its first administrator', response: { 200: Type.Object({ required: Type.Boolean(), tokenRequired: Type.Boolean() }) } },
    }, async () => setupRequired(services))

    app.post('/setup', {
      config: { auth: 'none' },
      schema: { tags: ['auth'], summary: 'Create the instance administrator (once)', body: SetupBody, response: { 201: LoginResponse } },
    }, async (request, reply) => {
      await limit(request)
      const outcome = await completeSetup(services, request, request.body)
      return reply.code(201).send(await signedInResponse(services, request, reply, outcome))
    })

    app.post('/auth/register', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        description: 'Answers 202 the same way whether or not the email is already registered; the address receives an email either way.',
        body: RegisterBody,
        response: { 202: MessageResponse },
      },
    }, async (request, reply) => {
      await limit(request)
      await register(services, request, request.body)
      return reply.code(202).send({ status: 'accepted', message: 'If this address can be registered, the account is ready: sign in. Check your inbox for a confirmation email.' })
    })

    app.post('/auth/login', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description: 'Sets the session cookie. With two-factor authentication on, answers `{ mfaRequired: true }` and the cookie only unlocks POST /auth/login/mfa.',
        body: LoginBody,
        response: { 200: LoginResponse },
      },
    }, async (request, reply) => {
      await limit(request)
      const outcome = await login(services, request, request.body.email, request.body.password)
      return signedInResponse(services, request, reply, outcome)
    })

    app.post('/auth/logout', {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out',
        querystring: Type.Object({ everywhere: Type.Optional(Type.Boolean({ description: 'Sign out on every device' })) }, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      const actor = request.actor
      if (actor.kind === 'session') {
        await withContext(services.db, requestContext(request), async (trx) => {
          await revokeSessions(trx, actor.userId, 'logout', request.query.everywhere ? {} : { onlySessionId: actor.sessionId })
          await recordSecurityEvent(trx, request, { type: 'logout', userId: actor.userId, details: { everywhere: request.query.everywhere ?? false } })
        })
      }
      clearSessionCookie(services, reply)
      return reply.code(204).send(null)
    })

    await app.register(twoFactorLoginRoutes(services, limit))
    await app.register(passwordResetRoutes(services, limit))
  }
}
