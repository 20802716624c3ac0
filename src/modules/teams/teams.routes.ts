import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Services } from '../../platform/services.ts'
import { OrgParams } from '../organizations/organizations.schema.ts'
import { MANAGERS, withOrgActor } from '../organizations/org-actor.ts'
import { AddTeamMemberBody, CreateTeamBody, TeamMemberParams, TeamMemberResponse, TeamParams, TeamResponse, UpdateTeamBody } from './teams.schema.ts'
import { addTeamMember, createTeam, deleteTeam, getTeam, listTeamMembers, listTeams, removeTeamMember, updateTeam } from './teams.service.ts'

const tags = ['teams']
/** Reads are open to every member and to API keys with the read scope; writes need owner or admin. */
const READ = { auth: 'any', scope: 'read' } as const

export function teamRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/orgs/:orgId/teams', {
      config: READ,
      schema: { tags, summary: "The organization's teams", params: OrgParams, response: { 200: Type.Object({ teams: Type.Array(TeamResponse) }) } },
    }, async (request) => ({ teams: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listTeams(trx, actor)) }))

    app.post('/orgs/:orgId/teams', {
      schema: { tags, summary: 'Create a team (owner, admin)', params: OrgParams, body: CreateTeamBody, response: { 201: TeamResponse } },
    }, async (request, reply) => {
      const team = await withOrgActor(services, request, request.params.orgId, (trx, actor) => createTeam(trx, actor, request.body), { roles: MANAGERS })
      return reply.code(201).send(team)
    })

    app.get('/orgs/:orgId/teams/:teamId', {
      config: READ,
      schema: { tags, summary: 'A team', params: TeamParams, response: { 200: TeamResponse } },
    }, async (request) => withOrgActor(services, request, request.params.orgId, (trx, actor) => getTeam(trx, actor, request.params.teamId)))

    app.patch('/orgs/:orgId/teams/:teamId', {
      schema: { tags, summary: 'Rename or describe a team (owner, admin)', params: TeamParams, body: UpdateTeamBody, response: { 200: TeamResponse } },
    }, async (request) =>
      withOrgActor(services, request, request.params.orgId, (trx, actor) => updateTeam(trx, actor, request.params.teamId, request.body), { roles: MANAGERS }))

    app.delete('/orgs/:orgId/teams/:teamId', {
      schema: { tags, summary: 'Delete a team (owner, admin)', params: TeamParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => deleteTeam(trx, actor, request.params.teamId), { roles: MANAGERS })
      return reply.code(204).send(null)
    })

    app.get('/orgs/:orgId/teams/:teamId/members', {
      config: READ,
      schema: { tags, summary: "A team's members", params: TeamParams, response: { 200: Type.Object({ members: Type.Array(TeamMemberResponse) }) } },
    }, async (request) => ({
      members: await withOrgActor(services, request, request.params.orgId, (trx, actor) => listTeamMembers(trx, actor, request.params.teamId)),
    }))

    app.post('/orgs/:orgId/teams/:teamId/members', {
      schema: {
        tags,
        summary: 'Add an organization member to the team (owner, admin)',
        description: 'The user must be an active member of the organization (else 400 validation_failed); already in the team → 409 already_member.',
        params: TeamParams,
        body: AddTeamMemberBody,
        response: { 201: TeamMemberResponse },
      },
    }, async (request, reply) => {
      const member = await withOrgActor(services, request, request.params.orgId, (trx, actor) => addTeamMember(trx, actor, request.params.teamId, request.body), { roles: MANAGERS })
      return reply.code(201).send(member)
    })

    app.delete('/orgs/:orgId/teams/:teamId/members/:userId', {
      schema: { tags, summary: 'Remove a user from the team (owner, admin)', params: TeamMemberParams, response: { 204: Type.Null() } },
    }, async (request, reply) => {
      await withOrgActor(services, request, request.params.orgId, (trx, actor) => removeTeamMember(trx, actor, request.params.teamId, request.params.userId), { roles: MANAGERS })
      return reply.code(204).send(null)
    })
  }
}
