import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { clearSessionCookie, csrfTokenFor, requestContext, requireUserId, setSessionCookie } from '../../platform/auth.ts'
import { withContext, type Trx } from '../../platform/db.ts'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { MessageResponse } from '../auth/auth.schema.ts'
import { queueEmailVerification } from '../auth/auth.service.ts'
import { RateLimiter } from '../auth/rate-limit.ts'
import {
  BackupCodesResponse,
  ChangePasswordBody,
  CodeBody,
  CsrfResponse,
  DisableTwoFactorBody,
  MeResponse,
  ProfileResponse,
  SessionListResponse,
  SessionParams,
  TwoFactorSetupResponse,
  UpdateProfileBody,
} from './account.schema.ts'
import { changePassword, findSelf, getMe, listSessions, recordReauthFailure, revokeOwnSession, updateProfile } from './account.service.ts'
import { disableTwoFactor, enableTwoFactor, regenerateBackupCodes, setupTwoFactor } from './two-factor.service.ts'

const TAGS = ['account']

export function accountRoutes(services: Services): FastifyPluginAsyncTypebox {
  // Per user, for the routes that check a password or a code: a stolen session must not
  // turn them into a guessing oracle (failures also count toward the account lockout).
  const limiter = new RateLimiter()
  const limitUser = async (userId: string) => limiter.hit(`user:${userId}`, await services.settings.integer('auth.login_rate_limit_per_minute', 30))

  /**
   * Runs a re-authenticating change in the user's transaction. A wrong password or code
   * rolls that transaction back, so the failure is counted and logged in a second one.
   */
  async function reauthenticated<T>(request: FastifyRequest, fn: (trx: Trx, userId: string) => Promise<T>): Promise<T> {
    const userId = requireUserId(request)
    await limitUser(userId)
    try {
      return await withContext(services.db, requestContext(request), (trx) => fn(trx, userId))
    } catch (error) {
      if (error instanceof AppError && (error.code === 'wrong_password' || error.code === 'invalid_mfa_code')) {
        const kind = error.code
        await withContext(services.db, requestContext(request), (trx) => recordReauthFailure(services, trx, request, userId, kind))
      }
      throw error
    }
  }

  return async (app) => {
    app.get('/me', {
      config: { auth: 'any' },
      schema: {
        tags: TAGS,
        summary: 'The signed-in user, their organizations and the CSRF token',
        description: 'With an API key: the key\'s user, and only the key\'s organization; csrfToken is null.',
        response: { 200: MeResponse },
      },
    }, async (request) => {
      const actor = request.actor
      const userId = requireUserId(request)
      return withContext(services.db, requestContext(request), (trx) =>
        getMe(trx, userId, {
          onlyOrgId: actor.kind === 'apiKey' ? actor.orgId : undefined,
          csrfToken: actor.kind === 'session' ? actor.csrfToken : null,
        }),
      )
    })

    app.patch('/me', {
      schema: {
        tags: TAGS,
        summary: 'Update the profile',
        description: 'Send only the fields to change. uiPreferences and notificationPreferences replace the stored objects (16 KiB of JSON at most).',
        body: UpdateProfileBody,
        response: { 200: ProfileResponse },
      },
    }, async (request) => {
      const userId = requireUserId(request)
      return withContext(services.db, requestContext(request), (trx) => updateProfile(trx, userId, request.body))
    })

    app.post('/me/password', {
      schema: {
        tags: TAGS,
        summary: 'Change the password',
        description: 'Signs out every session (this one too) and sets a new session cookie for this client; use the returned csrfToken from now on.',
        body: ChangePasswordBody,
        response: { 200: CsrfResponse },
      },
    }, async (request, reply) => {
      const session = await reauthenticated(request, (trx, userId) => changePassword(services, trx, request, userId, request.body))
      setSessionCookie(services, reply, session.token, session.absoluteExpiresAt)
      return { csrfToken: csrfTokenFor(services, session.token) }
    })

    app.post('/me/email/verification', {
      schema: { tags: TAGS, summary: 'Send the email verification link again', response: { 202: MessageResponse } },
    }, async (request, reply) => {
      const userId = requireUserId(request)
      await limitUser(userId)
      await withContext(services.db, requestContext(request), async (trx) => {
        const user = await findSelf(trx, userId)
        if (user.email_verified_at) {
          throw new AppError('conflict', 409, 'Your email address is already verified')
        }
        await queueEmailVerification(services, trx, userId, user.email)
      })
      return reply.code(202).send({ status: 'accepted', message: 'We sent a new verification link to your email address.' })
    })

    app.get('/me/sessions', {
      schema: { tags: TAGS, summary: 'Your active sessions', response: { 200: SessionListResponse } },
    }, async (request) => {
      const actor = request.actor
      const userId = requireUserId(request)
      const sessions = await withContext(services.db, requestContext(request), (trx) =>
        listSessions(trx, userId, actor.kind === 'session' ? actor.sessionId : undefined))
      return { sessions }
    })

    app.delete('/me/sessions/:sessionId', {
      schema: { tags: TAGS, summary: 'Sign out one of your sessions', params: SessionParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      const actor = request.actor
      const userId = requireUserId(request)
      await withContext(services.db, requestContext(request), (trx) => revokeOwnSession(trx, request, userId, request.params.sessionId))
      if (actor.kind === 'session' && actor.sessionId === request.params.sessionId) {
        clearSessionCookie(services, reply)
      }
      return reply.code(204).send(null)
    })

    app.post('/me/2fa/setup', {
      schema: {
        tags: TAGS,
        summary: 'Start two-factor enrolment',
        description: 'Returns a new secret and its QR code. Two-factor stays off until POST /me/2fa/enable confirms a code; calling this again replaces the pending secret.',
        response: { 200: TwoFactorSetupResponse },
      },
    }, async (request) => {
      const userId = requireUserId(request)
      return withContext(services.db, requestContext(request), (trx) => setupTwoFactor(services, trx, userId))
    })

    app.post('/me/2fa/enable', {
      schema: {
        tags: TAGS,
        summary: 'Confirm a code and turn two-factor on',
        description: 'Returns 10 single-use backup codes; they are shown only this once.',
        body: CodeBody,
        response: { 200: BackupCodesResponse },
      },
    }, async (request) => {
      const backupCodes = await reauthenticated(request, (trx, userId) => enableTwoFactor(services, trx, request, userId, request.body.code))
      return { backupCodes }
    })

    app.post('/me/2fa/disable', {
      schema: {
        tags: TAGS,
        summary: 'Turn two-factor off',
        description: 'Needs the password and an authenticator code or a backup code.',
        body: DisableTwoFactorBody,
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      await reauthenticated(request, (trx, userId) => disableTwoFactor(services, trx, request, userId, request.body))
      return reply.code(204).send(null)
    })

    app.post('/me/2fa/backup-codes', {
      schema: {
        tags: TAGS,
        summary: 'Replace the backup codes',
        description: 'Needs an authenticator code (or an unused backup code). The old codes stop working.',
        body: CodeBody,
        response: { 200: BackupCodesResponse },
      },
    }, async (request) => {
      const backupCodes = await reauthenticated(request, (trx, userId) => regenerateBackupCodes(services, trx, request, userId, request.body.code))
      return { backupCodes }
    })
  }
}
