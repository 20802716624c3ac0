import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'
import { issueSession, readSession } from './mcp.session.ts'
import { DEFAULT_PROTOCOL_VERSION, createMcpServer, type CallerInfo } from './mcp.server.ts'
import { toolContext, type KeyActor } from './mcp.tool.ts'
import { ToolUsageWriter } from './tool-usage.writer.ts'

const SESSION_HEADER = 'mcp-session-id'

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

function initializeOf(body: unknown) {
  const messages = Array.isArray(body) ? body : [body]
  return messages.find((message) => isInitializeRequest(message))
}

/** JSON-RPC error answer written by hand (the transport never saw the request). */
function rpcError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null })
}

/**
 * POST /mcp: the Model Context Protocol over Streamable HTTP (the SDK's transport in stateless
 * mode, JSON answers), for API keys (`Authorization: Bearer tsk_…`) with the read scope. Each
 * request gets its own server bound to the key, so any API process can answer any request.
 * Sessions are signed tokens (mcp.session.ts). GET (a server-sent event stream) and DELETE
 * (ending a session) answer 405, which the transport spec allows for servers that do not
 * push messages and keep no session state.
 */
export function mcpRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    // Tool calls are logged off the request path; what is pending is written when the app closes.
    const writer = new ToolUsageWriter(services, app.log)
    await writer.start()
    app.addHook('onClose', async () => writer.stop())

    app.post('/mcp', {
      config: { auth: 'apiKey', scope: 'read' },
      schema: {
        tags: ['mcp'],
        summary: 'Model Context Protocol endpoint (Streamable HTTP; API key with the read scope)',
        description:
          'JSON-RPC 2.0 messages of MCP (initialize, tools/list, tools/call, ping). Send `Accept: application/json, text/event-stream`; ' +
          'after initialize, send back the `Mcp-Session-Id` and `MCP-Protocol-Version` headers. Tools and scopes: docs/mcp.md.',
        security: [{ apiKey: [] }],
      },
    }, async (request, reply) => {
      const key = request.actor
      if (key.kind !== 'apiKey') {
        throw new AppError('unauthenticated', 401, 'MCP needs an API key (Authorization: Bearer)')
      }
      const caller = callerOf(services, request, key)
      if (caller === 'expired') {
        // The spec's answer to an unknown session: the client initializes again.
        return rpcError(reply, 404, -32001, 'Session not found (expired or signed with an old secret): send initialize again')
      }
      const server = createMcpServer(toolContext(services, request, key), caller.info, writer)
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
      reply.raw.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      if (caller.issuedToken) {
        reply.raw.setHeader(SESSION_HEADER, caller.issuedToken)
      }
      // The transport writes the answer on the raw response; Fastify must not send one too.
      reply.hijack()
      try {
        await transport.handleRequest(request.raw, reply.raw, request.body)
      } catch (error) {
        request.log.error({ err: error }, 'MCP transport failed')
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }))
        }
      }
    })

    for (const method of ['GET', 'DELETE'] as const) {
      app.route({
        method,
        url: '/mcp',
        config: { auth: 'none' },
        schema: { tags: ['mcp'], summary: method === 'GET' ? 'No server-sent event stream: answers 405' : 'No session state to end: answers 405' },
        handler: async (_request, reply) => {
          reply.header('allow', 'POST')
          throw new AppError('method_not_allowed', 405, 'Tessera answers MCP requests on POST /mcp only (stateless Streamable HTTP)')
        },
      })
    }
  }
}

/** The caller as this request tells it: from initialize itself, else from the session token and headers. */
function callerOf(services: Services, request: FastifyRequest, key: KeyActor): { info: CallerInfo; issuedToken?: string } | 'expired' {
  const initialize = initializeOf(request.body)
  if (initialize) {
    const requested = initialize.params.protocolVersion
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION
    const client = initialize.params.clientInfo
    const session = issueSession(services.config.secretKey, { keyId: key.keyId, clientName: client.name, clientVersion: client.version, protocolVersion })
    return { info: { sessionId: session.id, clientName: client.name, clientVersion: client.version, protocolVersion }, issuedToken: session.token }
  }
  const token = header(request, SESSION_HEADER)
  const session = token === undefined ? undefined : readSession(services.config.secretKey, token, key.keyId)
  if (token !== undefined && !session) {
    return 'expired'
  }
  return {
    info: {
      sessionId: session?.id ?? null,
      clientName: session?.clientName ?? null,
      clientVersion: session?.clientVersion ?? null,
      protocolVersion: header(request, 'mcp-protocol-version') ?? session?.protocolVersion ?? DEFAULT_PROTOCOL_VERSION,
    },
  }
}
