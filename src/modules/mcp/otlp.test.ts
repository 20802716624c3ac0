import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** External tool calls: OTLP/HTTP JSON traces mapped by the OpenTelemetry MCP conventions, and the direct JSON endpoint. */

let ctx: TestContext
let org: OrgFixture
let other: OrgFixture
let ingestKey: string
let readKey: string
let otherKey: string

const hex = (bytes: number) => randomBytes(bytes).toString('hex')
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`
const attr = (key: string, value: string | number | boolean) => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? { intValue: String(value) } : { boolValue: value },
})

interface Row {
  execution_id: string
  bcp_name: string
  tool_name: string
  operation: string
  success: boolean
  error_type: string | null
  error_code: string | null
  error_message: string | null
  error_stack: string | null
  duration_ms: number
  session_id: string | null
  protocol_version: string | null
  request_id: string | null
  trace_id: string | null
  span_id: string | null
  parameters: unknown
  response_data: unknown
  source: string
  user_id: string
  tool_version: string | null
  client_name: string | null
  ip_address: string | null
  user_agent: string | null
  timestamp: Date
}

const rowsOf = async (orgId: string, where = 'true', values: unknown[] = []) =>
  (await ctx.admin.query<Row>(`select * from telemetry.tool_usage_logs where organization_id = $1 and ${where} order by "timestamp", id`, [orgId, ...values])).rows

function traces(spans: unknown[], service = 'weather-mcp') {
  return {
    resourceSpans: [{
      resource: { attributes: [attr('service.name', service), attr('service.version', '2.4.0')] },
      scopeSpans: [{ scope: { name: '@modelcontextprotocol/instrumentation' }, spans }],
    }],
  }
}

function postTraces(body: unknown, headers: Record<string, string> = bearer(ingestKey)) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/otlp/v1/traces', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })
}

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
  ingestKey = (await createApiKey(ctx.app, org, ['ingest'])).key
  readKey = (await createApiKey(ctx.app, org, ['read'])).key
  otherKey = (await createApiKey(ctx.app, other, ['ingest'])).key
})

afterAll(async () => {
  await ctx.close()
})

describe('POST /api/v1/otlp/v1/traces', () => {
  it('stores MCP spans as tool calls of the key\'s organization and ignores other spans', async () => {
    const traceId = hex(16)
    const start = Date.now() - 60_000
    const ok = hex(8)
    const failed = hex(8)
    const body = traces([
      {
        traceId, spanId: ok, name: 'tools/call get_weather', kind: 2, startTimeUnixNano: nanos(start), endTimeUnixNano: nanos(start + 125),
        attributes: [
          attr('mcp.method.name', 'tools/call'), attr('gen_ai.tool.name', 'get_weather'), attr('gen_ai.operation.name', 'execute_tool'),
          attr('mcp.session.id', 'session-42'), attr('mcp.protocol.version', '2025-06-18'), attr('jsonrpc.request.id', 7),
          attr('gen_ai.tool.call.arguments', JSON.stringify({ city: 'Oslo', api_key: 'sk-secret' })),
          attr('gen_ai.tool.call.result', JSON.stringify({ temperature: -3 })),
          attr('client.address', '203.0.113.9'), attr('user_agent.original', 'claude-desktop/1.0'),
        ],
        status: { code: 1 },
      },
      {
        traceId, spanId: failed, name: 'tools/call get_forecast', kind: 2, startTimeUnixNano: nanos(start + 200), endTimeUnixNano: nanos(start + 1_200),
        attributes: [attr('mcp.method.name', 'tools/call'), attr('gen_ai.tool.name', 'get_forecast'), attr('error.type', 'tool_error')],
        status: { code: 2, message: 'Forecast service unavailable' },
        events: [{ name: 'exception', timeUnixNano: nanos(start + 1_100), attributes: [attr('exception.message', 'ECONNREFUSED'), attr('exception.stacktrace', 'Error: ECONNREFUSED\n    at fetch')] }],
      },
      { traceId, spanId: hex(8), name: 'GET /forecast', kind: 3, startTimeUnixNano: nanos(start + 300), endTimeUnixNano: nanos(start + 900), attributes: [attr('http.request.method', 'GET')] },
    ])
    const response = await postTraces(body)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({})

    const rows = await rowsOf(org.id, 'trace_id = $2', [traceId])
    expect(rows.map((row) => [row.tool_name, row.success, row.error_type, row.error_code])).toEqual([
      ['get_weather', true, null, null],
      ['get_forecast', false, 'tool', 'tool_error'],
    ])
    const [weather, forecast] = rows as [Row, Row]
    expect(weather).toMatchObject({
      execution_id: `${traceId}-${ok}`, span_id: ok, bcp_name: 'weather-mcp', operation: 'tools/call', source: 'external', duration_ms: 125,
      session_id: 'session-42', protocol_version: '2025-06-18', request_id: '7', tool_version: '2.4.0', user_id: org.owner.userId,
      parameters: { city: 'Oslo', api_key: '[redacted]' }, response_data: { temperature: -3 }, ip_address: '203.0.113.9', user_agent: 'claude-desktop/1.0',
    })
    expect(weather.timestamp.getTime()).toBe(start)
    expect(forecast).toMatchObject({ error_message: 'Forecast service unavailable', error_stack: 'Error: ECONNREFUSED\n    at fetch', duration_ms: 1000, response_data: null })

    // An exporter retrying the same spans stores nothing twice; another organization sees none of them.
    expect((await postTraces(body)).statusCode).toBe(200)
    expect(await rowsOf(org.id, 'trace_id = $2', [traceId])).toHaveLength(2)
    expect(await rowsOf(other.id)).toHaveLength(0)
  })

  it('maps JSON-RPC error codes to protocol errors and client spans to the server they called', async () => {
    const traceId = hex(16)
    const start = Date.now() - 5_000
    const response = await postTraces(traces([{
      traceId, spanId: hex(8), kind: 3, startTimeUnixNano: nanos(start), endTimeUnixNano: nanos(start + 3),
      attributes: [attr('mcp.method.name', 'tools/call'), attr('gen_ai.tool.name', 'search'), attr('error.type', '-32602'), attr('server.address', 'crm.example.com')],
    }], 'agent-app'))
    expect(response.statusCode, response.body).toBe(200)
    const [row] = await rowsOf(org.id, 'trace_id = $2', [traceId])
    expect(row).toMatchObject({ bcp_name: 'crm.example.com', client_name: 'agent-app', success: false, error_type: 'protocol', error_code: '-32602', error_message: '-32602' })
  })

  it('accepts gzip bodies, and refuses too old spans in partialSuccess', async () => {
    const traceId = hex(16)
    const old = Date.now() - 40 * 86_400_000
    const body = traces([
      { traceId, spanId: hex(8), startTimeUnixNano: nanos(Date.now() - 1_000), endTimeUnixNano: nanos(Date.now() - 990), attributes: [attr('mcp.method.name', 'resources/read'), attr('mcp.resource.uri', 'file:///a.txt')] },
      { traceId, spanId: hex(8), startTimeUnixNano: nanos(old), endTimeUnixNano: nanos(old + 10), attributes: [attr('mcp.method.name', 'tools/call'), attr('gen_ai.tool.name', 'late')] },
    ])
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/otlp/v1/traces',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...bearer(ingestKey) },
      payload: gzipSync(JSON.stringify(body)),
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().partialSuccess).toMatchObject({ rejectedSpans: 1 })
    expect(response.json().partialSuccess.errorMessage).toMatch(/more than 30 days old/)
    const rows = await rowsOf(org.id, 'trace_id = $2', [traceId])
    expect(rows.map((row) => [row.operation, row.tool_name])).toEqual([['resources/read', 'file:///a.txt']])
  })

  it('answers malformed input with a 4xx and a stable code, storing nothing', async () => {
    const before = (await rowsOf(org.id)).length
    const cases: Array<{ body: string; headers?: Record<string, string>; status: number; code: string; message?: RegExp }> = [
      { body: JSON.stringify({ resourceSpans: {} }), status: 400, code: 'validation_failed', message: /resourceSpans must be an array/ },
      { body: JSON.stringify([1, 2]), status: 400, code: 'validation_failed' },
      {
        body: JSON.stringify(traces([{ traceId: 'xyz', spanId: hex(8), startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: [attr('mcp.method.name', 'tools/call')] }])),
        status: 400, code: 'validation_failed', message: /traceId must be 32 hex digits/,
      },
      {
        body: JSON.stringify(traces([{ traceId: hex(16), spanId: hex(8), startTimeUnixNano: 'yesterday', endTimeUnixNano: nanos(Date.now()) }])),
        status: 400, code: 'validation_failed', message: /startTimeUnixNano/,
      },
      { body: '{"resourceSpans": [', status: 400, code: 'invalid_json' },
      { body: 'binary', headers: { 'content-type': 'application/x-protobuf' }, status: 415, code: 'unsupported_media_type' },
    ]
    for (const item of cases) {
      const response = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/otlp/v1/traces',
        headers: { 'content-type': 'application/json', ...bearer(ingestKey), ...item.headers },
        payload: item.body,
      })
      expect(response.statusCode, `${item.body}: ${response.body}`).toBe(item.status)
      expect(response.json().error.code).toBe(item.code)
      if (item.message) expect(response.json().error.message).toMatch(item.message)
    }
    expect(await rowsOf(org.id)).toHaveLength(before)
  })

  it('needs an API key with the ingest scope', async () => {
    const body = traces([])
    expect((await postTraces(body, {})).statusCode).toBe(401)
    const scoped = await postTraces(body, bearer(readKey))
    expect(scoped.statusCode).toBe(403)
    expect(scoped.json().error.code).toBe('insufficient_scope')
    const session = await ctx.app.inject({ method: 'POST', url: '/api/v1/otlp/v1/traces', headers: { ...org.owner.headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    expect(session.statusCode).toBe(401)
  })
})

describe('POST /api/v1/orgs/{orgId}/tool-calls', () => {
  const url = (target: OrgFixture) => `/api/v1/orgs/${target.id}/tool-calls`

  it('stores a batch once, as external calls', async () => {
    const timestamp = new Date(Date.now() - 10_000).toISOString()
    const calls = [
      { executionId: `exec-${hex(4)}`, server: 'crm-mcp', tool: 'find_contact', timestamp, durationMs: 48, success: true, parameters: { email: 'a@example.com', token: 't' }, response: { id: 7 }, client: { name: 'cursor', version: '1.5' }, protocolVersion: '2025-06-18', cacheHit: true },
      { executionId: `exec-${hex(4)}`, server: 'crm-mcp', tool: 'delete_contact', timestamp, durationMs: 3, success: false, error: { message: 'Invalid arguments: id is required', code: '-32602', type: 'protocol' } },
    ]
    const response = await ctx.app.inject({ method: 'POST', url: url(org), headers: bearer(ingestKey), payload: { calls } })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ received: 2, stored: 2, duplicates: 0 })
    const again = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { calls } })
    expect(again.json()).toEqual({ received: 2, stored: 0, duplicates: 2 })

    const rows = await rowsOf(org.id, "bcp_name = 'crm-mcp'")
    expect(rows.map((row) => [row.tool_name, row.success, row.error_type, row.error_code, row.source])).toEqual([
      ['find_contact', true, null, null, 'external'],
      ['delete_contact', false, 'protocol', '-32602', 'external'],
    ])
    expect(rows[0]).toMatchObject({ parameters: { email: 'a@example.com', token: '[redacted]' }, response_data: { id: 7 }, client_name: 'cursor', protocol_version: '2025-06-18' })
  })

  it('refuses inconsistent or malformed calls with 400 and another organization with 404', async () => {
    const base = { server: 's', tool: 't', durationMs: 1 }
    const bad: Array<[unknown, string]> = [
      [{ calls: [{ ...base, success: false }] }, 'validation_failed'],
      [{ calls: [{ ...base, success: true, error: { message: 'x' } }] }, 'validation_failed'],
      [{ calls: [{ ...base, success: true, surprise: 1 }] }, 'validation_failed'],
      [{ calls: [] }, 'validation_failed'],
      [{ calls: [{ ...base, success: true, traceId: 'not-hex' }] }, 'validation_failed'],
      [{ calls: [{ ...base, success: true, timestamp: '2001-01-01T00:00:00Z' }] }, 'timestamp_out_of_range'],
    ]
    for (const [payload, code] of bad) {
      const response = await ctx.app.inject({ method: 'POST', url: url(org), headers: bearer(ingestKey), payload: payload as Record<string, unknown> })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json().error.code).toBe(code)
    }
    const foreign = await ctx.app.inject({ method: 'POST', url: url(org), headers: bearer(otherKey), payload: { calls: [{ ...base, success: true }] } })
    expect(foreign.statusCode).toBe(404)
    expect(await rowsOf(org.id, "bcp_name = 's'")).toHaveLength(0)
  })
})

describe('GET /api/v1/orgs/{orgId}/tool-calls and …/summary', () => {
  it("lists and sums up the organization's recorded calls, for its members and read keys only", async () => {
    const stored = Number((await ctx.admin.query<{ n: string }>('select count(*) as n from telemetry.tool_usage_logs where organization_id = $1', [org.id])).rows[0]!.n)
    expect(stored).toBeGreaterThan(3)

    const summary = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls/summary?hours=48`, headers: bearer(readKey) })
    expect(summary.statusCode, summary.body).toBe(200)
    const body = summary.json()
    expect(body.totals.calls).toBe(stored)
    expect(body.totals.successRate).toBeGreaterThan(0)
    expect(body.totals.successRate).toBeLessThan(1)
    expect(body.tools.find((tool: { tool: string }) => tool.tool === 'get_weather')).toMatchObject({ server: 'weather-mcp', failed: 0, successRate: 1, p50Ms: 125 })
    expect(body.topErrors.find((error: { tool: string }) => error.tool === 'get_forecast')).toMatchObject({ errorType: 'tool', errorCode: 'tool_error', message: 'Forecast service unavailable' })
    expect(body.clients.map((client: { name: string }) => client.name)).toContain('cursor')
    expect(body.hourly.reduce((sum: number, hour: { calls: number }) => sum + hour.calls, 0)).toBe(stored)

    const found = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls?q=Oslo`, headers: org.owner.headers })
    expect(found.statusCode, found.body).toBe(200)
    expect(found.json().calls.map((call: { tool: string }) => call.tool)).toEqual(['get_weather'])
    expect(found.json().calls[0]).toMatchObject({ source: 'external', response: { temperature: -3 }, parameters: { city: 'Oslo', api_key: '[redacted]' } })
    const failures = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls?success=false&errorType=protocol&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`, headers: org.owner.headers })
    expect(failures.json().calls.map((call: { tool: string }) => call.tool).sort()).toEqual(['delete_contact', 'search'])

    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls/summary`, headers: other.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls`, headers: bearer(ingestKey) })).statusCode).toBe(403)
    const bad = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${org.id}/tool-calls?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`, headers: org.owner.headers })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('invalid_time_range')
  })
})
