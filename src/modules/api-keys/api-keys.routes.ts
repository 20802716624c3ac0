import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { MANAGERS, withOrgActor } from '../organizations/org-actor.ts'
import { ApiKeyParams, ApiKeyResponse, CreateApiKeyBody, CreatedApiKeyResponse } from './api-keys.schema.ts'
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts'

const tags = ['api-keys']

/** Key management needs a signed-in session: a leaked key must not be able to mint more keys. */
export function apiKeyRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/api-keys', {
      schema: {
        tags,
        summary: "The organization's API keys (owner, admin); never the secret",
        params: OrgParams,
        response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeyResponse) }) },
      },
    }, async (request) => ({
      apiKeys: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listApiKeys(trx, actor), { roles: MANAGERS }),
    }))

    app.post('/orgs/:orgId/api-keys', {
      schema: {
        tags,
        summary: 'Create an API key (owner, admin)',
        description:
          'The response carries `key` once. Send it as `Authorization: Bearer <key>`. The key acts as its creator, with the ' +
          "creator's current role in this organization, limited to its scopes; it only works on this organization's routes.",
        params: OrgParams,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeyResponse },
      },
    }, async (request, reply) => {
      const created = await withOrgActor(services, request, request.params.orgId, (trx, actor) => createApiKey(trx, request, actor, request.body), { roles: MANAGERS })
      return reply.code(201).send(created)
    })

    app.delete('/orgs/:orgId/api-keys/:keyId', {
      schema: { tags, summary: 'Revoke an API key (owner, admin)', params: ApiKeyParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => revokeApiKey(trx, request, actor, request.params.keyId), { roles: MANAGERS })
      return reply.code(204).send(null)
    })
  }
}
