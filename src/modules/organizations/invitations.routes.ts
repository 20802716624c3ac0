import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requestContext } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { acceptInvitation, describeInvitation, listInvitations, revokeInvitation } from './invitations.service.ts'
import { AcceptInvitationResponse, InvitationParams, InvitationResponse, OrgParams, PublicInvitationResponse, TokenParams } from './organizations.schema.ts'
import { MANAGERS, withOrgActor } from './org-actor.ts'

const tags = ['invitations']

export function invitationRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/invitations', {
      schema: {
        tags,
        summary: 'Invitations of the organization, newest first (owner, admin)',
        params: OrgParams,
        response: { 200: Type.Object({ invitations: Type.Array(InvitationResponse) }) },
      },
    }, async (request) => ({
      invitations: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listInvitations(trx, actor), { roles: MANAGERS }),
    }))

    app.delete('/orgs/:orgId/invitations/:invitationId', {
      schema: { tags, summary: 'Revoke a pending invitation (owner, admin)', params: InvitationParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => revokeInvitation(trx, actor, request.params.invitationId), { roles: MANAGERS })
      return reply.code(204).send(null)
    })

    app.get('/invitations/:token', {
      config: { auth: 'none' },
      schema: {
        tags,
        summary: 'What an invitation link is for (no sign-in needed)',
        description: 'Answers 404 for an unknown, expired, revoked or accepted invitation.',
        params: TokenParams,
        response: { 200: PublicInvitationResponse },
      },
    }, async (request) => describeInvitation(services.db, request.params.token))

    app.post('/invitations/:token/accept', {
      schema: {
        tags,
        summary: 'Accept an invitation as the signed-in user',
        description: 'The account email must be the invited address (else 403 invitation_email_mismatch).',
        params: TokenParams,
        response: { 200: AcceptInvitationResponse },
      },
    }, async (request) => withContext(services.db, requestContext(request), (trx) => acceptInvitation(trx, request.params.token)))
  }
}
