import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requestContext, requireUserId } from '../../platform/auth.ts'
import { withContext } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { ErrorResponse } from '../auth/auth.schema.ts'
import { invitationRoutes } from './invitations.routes.ts'
import { memberRoutes } from './members.routes.ts'
import { CreateOrganizationBody, OrganizationResponse, OrgParams, UpdateOrganizationBody } from './organizations.schema.ts'
import { createOrganization, deleteOrganization, getOrganization, listMyOrganizations, updateOrganization } from './organizations.service.ts'
import { MANAGERS, withOrgActor } from './org-actor.ts'

const tags = ['organizations']

export function organizationRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs', {
      schema: { tags, summary: "The caller's organizations, each with the caller's role", response: { 200: Type.Object({ organizations: Type.Array(OrganizationResponse) }) } },
    }, async (request) => {
      const userId = requireUserId(request)
      const organizations = await withContext(services.db, requestContext(request), (trx) => listMyOrganizations(trx, userId))
      return { organizations }
    })

    app.post('/orgs', {
      schema: {
        tags,
        summary: 'Create an organization; the caller becomes its owner',
        body: CreateOrganizationBody,
        response: { 201: OrganizationResponse, 409: ErrorResponse },
      },
    }, async (request, reply) => {
      const organization = await withContext(services.db, requestContext(request), (trx) => createOrganization(trx, request.body))
      return reply.code(201).send(organization)
    })

    app.get('/orgs/:orgId', {
      config: { auth: 'any', scope: 'read' },
      schema: { tags, summary: "An organization, with the caller's role in it", params: OrgParams, response: { 200: OrganizationResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getOrganization(trx, actor)))

    app.patch('/orgs/:orgId', {
      schema: { tags, summary: 'Edit the organization profile (owner, admin)', params: OrgParams, body: UpdateOrganizationBody, response: { 200: OrganizationResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateOrganization(trx, actor, request.body), { roles: MANAGERS }))

    app.delete('/orgs/:orgId', {
      schema: {
        tags,
        summary: 'Delete the organization (owner)',
        description: 'Soft delete: the organization disappears for everyone; its pending invitations and API keys are revoked.',
        params: OrgParams,
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteOrganization(trx, actor), { roles: ['owner'] })
      return reply.code(204).send(null)
    })

    await app.register(memberRoutes(services))
    await app.register(invitationRoutes(services))
  }
}
