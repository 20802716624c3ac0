import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { addMember, listMembers, removeMember, updateMember } from './members.service.ts'
import { AddMemberBody, AddMemberResponse, MemberParams, MemberResponse, OrgParams, UpdateMemberBody } from './organizations.schema.ts'
import { MANAGERS, withOrgActor } from './org-actor.ts'

const tags = ['members']

export function memberRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/members', {
      config: { auth: 'any', scope: 'read' },
      schema: { tags, summary: 'Members of the organization', params: OrgParams, response: { 200: Type.Object({ members: Type.Array(MemberResponse) }) } },
    }, async (request) => ({
      members: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listMembers(trx, actor)),
    }))

    app.post('/orgs/:orgId/members', {
      schema: {
        tags,
        summary: 'Add a member by email (owner, admin)',
        description:
          'An active account with this email joins at once (`status: "added"`, they get an email). Otherwise an invitation valid ' +
          'for 7 days is emailed (`status: "invited"`). Admins cannot grant the owner role. A member already → 409 already_member.',
        params: OrgParams,
        body: AddMemberBody,
        response: { 201: AddMemberResponse },
      },
    }, async (request, reply) => {
      const result = await withOrgActor(services, request, request.params.orgId, (trx, actor) => addMember(services, trx, actor, request.body), { roles: MANAGERS })
      return reply.code(201).send(result)
    })

    app.patch('/orgs/:orgId/members/:userId', {
      schema: {
        tags,
        summary: "Change a member's role or status (owner, admin)",
        description: "Admins cannot grant the owner role or change an owner's membership. The last active owner can't be demoted or suspended (409 last_owner).",
        params: MemberParams,
        body: UpdateMemberBody,
        response: { 200: MemberResponse },
      },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateMember(trx, actor, request.params.userId, request.body), { roles: MANAGERS }))

    app.delete('/orgs/:orgId/members/:userId', {
      schema: {
        tags,
        summary: 'Remove a member (owner, admin), or leave (your own user id, any role)',
        description: "The member's API keys in this organization are revoked. The last active owner can't leave (409 last_owner).",
        params: MemberParams,
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => removeMember(trx, actor, request.params.userId))
      return reply.code(204).send(null)
    })
  }
}
