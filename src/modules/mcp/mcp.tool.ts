import type { FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { OrgRole } from '../../platform/auth.ts'
import type { Trx } from '../../platform/db.ts'
import type { Services } from '../../platform/services.ts'
import { withOrgActor, type OrgActor } from '../organizations/org-actor.ts'

/** The API key an MCP request authenticated with (auth.ts Actor of kind apiKey). */
export interface KeyActor {
  kind: 'apiKey'
  userId: string
  keyId: string
  orgId: string
  scopes: string[]
}

/**
 * What a tool runs with. `inOrg` is the REST API's withOrgActor on the key's organization: the
 * same tenant transaction (RLS bound to the key's creator and organization), the same
 * membership check and the same role checks. A tool never reaches data any other way.
 */
export interface ToolContext {
  services: Services
  request: FastifyRequest
  key: KeyActor
  inOrg<T>(fn: (trx: Trx, actor: OrgActor) => Promise<T>, roles?: OrgRole[]): Promise<T>
}

export function toolContext(services: Services, request: FastifyRequest, key: KeyActor): ToolContext {
  return {
    services,
    request,
    key,
    inOrg: (fn, roles) => withOrgActor(services, request, key.orgId, fn, roles ? { roles } : {}),
  }
}

/** What a tool answers: a JSON object (sent as structuredContent and as text), and whether a cache served it. */
export interface ToolOutcome {
  data: Record<string, unknown>
  cacheHit?: boolean
}

export interface McpTool {
  name: string
  title: string
  description: string
  input: z.ZodObject
  /** Write tools need an API key with the write (or admin) scope. */
  write: boolean
  run(ctx: ToolContext, args: Record<string, unknown>): Promise<ToolOutcome>
}

/** Keeps each tool's handler typed by its own schema while the registry holds them alike. */
export function defineTool<S extends z.ZodObject>(tool: {
  name: string
  title: string
  description: string
  input: S
  write?: boolean
  run(ctx: ToolContext, args: z.output<S>): Promise<ToolOutcome>
}): McpTool {
  return { ...tool, write: tool.write ?? false, run: (ctx, args) => tool.run(ctx, args as z.output<S>) }
}
