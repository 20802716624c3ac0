import { randomBytes, randomUUID } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { LATEST_PROTOCOL_VERSION, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createDataSource } from '../../../test/data-sources.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { createMetric, ensurePointPartitions, insertBatch } from '../timeseries/series.fixtures.ts'
import { parametersHash } from './tool-usage.record.ts'

/**
 * Tessera's MCP server through the SDK's own client (Streamable HTTP against a listening app):
 * every tool, tenant isolation, scopes, and the tool-usage log of every call.
 */

interface OrgData {
  org: OrgFixture
  metricId: string
  dashboardId: string
  pipelineId: string
  queryId?: string
  errorId: string
}

let ctx: TestContext
let baseUrl: string
let a: OrgData
let b: OrgData
let readKeyA: string
let writeKeyA: string
let memberWriteKeyA: string
let readKeyB: string
let writeKeyB: string
let scratch: pg.Client
const scratchDb = `mcp_scratch_${randomBytes(4).toString('hex')}`
const scratchRole = `mcp_role_${randomBytes(4).toString('hex')}`
const clients: Client[] = []

async function connect(key: string, name = 'tessera-test'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name, version: '1.2.3' })
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: bearer(key) } })
  await client.connect(transport)
  clients.push(client)
  return { client, transport }
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult
}

function json(result: CallToolResult): Record<string, unknown> {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
  return result.structuredContent as Record<string, unknown>
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true)
  const first = result.content[0]
  return first?.type === 'text' ? first.text : ''
}

interface LogRow {
  execution_id: string
  tool_name: string
  success: boolean
  error_type: string | null
  error_code: string | null
  error_message: string | null
  user_id: string
  organization_id: string
  session_id: string | null
  client_name: string | null
  client_version: string | null
  protocol_version: string | null
  parameters: unknown
  parameters_hash: string
  response_data: unknown
  response_size_bytes: number | null
  trace_id: string | null
  bcp_name: string
  source: string
  cache_hit: boolean
  duration_ms: number
  tool_version: string | null
  request_id: string | null
}

/** Polls until `count` logged calls match (the writer flushes every 200 ms here). */
async function logged(where: string, values: unknown[], count: number, timeoutMs = 5_000): Promise<LogRow[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await ctx.admin.query<LogRow>(`select * from telemetry.tool_usage_logs where ${where} order by "timestamp", id`, values)
    if (rows.length >= count || Date.now() > deadline) {
      return rows
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const loggedCalls = (orgId: string, tool: string, count: number) => logged('organization_id = $1 and tool_name = $2', [orgId, tool], count)

async function orgWithData(label: string): Promise<OrgData> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app), { name: `${label} organization` })
  const metricId = await createMetric(ctx.admin, org.id, `${label.toLowerCase()}.requests`)
  const now = Date.now()
  await insertBatch(ctx.admin, org.id, metricId, Array.from({ length: 12 }, (_, i) => ({
    ts: new Date(now - (i + 1) * 60_000),
    value: String(i + 1),
    dims: { region: i % 2 ? 'eu' : 'us' },
  })))
  const dashboard = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/dashboards`, headers: org.owner.headers, payload: { name: `${label} traffic dashboard` } })
  const dashboardId = dashboard.json().id as string
  const widget = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.id}/dashboards/${dashboardId}/widgets`,
    headers: org.owner.headers,
    payload: { type: 'line_chart', title: `${label} requests`, position: { x: 0, y: 0, w: 6, h: 4 }, dataQuery: { source: 'metric', metricId, bucket: '1h', aggregation: 'sum' } },
  })
  expect(widget.statusCode, widget.body).toBe(201)
  const pipeline = await createPipeline(ctx.app, org, { name: `${label} orders pipeline` })
  const { rows } = await ctx.admin.query<{ id: string }>(
    `insert into telemetry.error_logs (organization_id, level, message, error_code, category, severity) values ($1, 'error', $2, 'E_DB', 'database', 4) returning id::text`,
    [org.id, `${label} database connection refused`])
  return { org, metricId, dashboardId, pipelineId: pipeline.id, errorId: rows[0]!.id }
}

beforeAll(async () => {
  ctx = await createTestApp()
  await ctx.admin.query("update app.system_settings set setting_value = '200' where setting_key = 'analytics.flush_interval_ms'")
  await ensurePointPartitions(ctx.testDb.ownerUrl, 2)
  a = await orgWithData('Alpha')
  b = await orgWithData('Bravo')

  // A saved query on a scratch PostgreSQL database (an external source, as saved queries need).
  const adminUrl = new URL(ctx.testDb.adminUrl)
  await ctx.admin.query(`create database ${scratchDb}`)
  await ctx.admin.query(`create role ${scratchRole} login password 'scratch-pw'`)
  adminUrl.pathname = `/${scratchDb}`
  scratch = new pg.Client({ connectionString: adminUrl.toString() })
  await scratch.connect()
  await scratch.query('create table items (id integer primary key, kind text not null)')
  await scratch.query("insert into items select i, case when i % 3 = 0 then 'tool' else 'other' end from generate_series(1, 30) i")
  await scratch.query(`grant select on items to ${scratchRole}`)
  const source = await createDataSource(ctx.app, a.org, {
    name: 'Scratch',
    type: 'postgresql',
    config: { host: '127.0.0.1', port: Number(adminUrl.port || 5432), database: scratchDb, user: scratchRole, password: 'scratch-pw', sslMode: 'prefer' },
  })
  const query = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${a.org.id}/queries`,
    headers: a.org.owner.headers,
    payload: { name: 'Alpha items by kind', dataSourceId: source.id, queryText: 'select count(*)::int as n from items where kind = {{kind}}', parameters: [{ name: 'kind', type: 'text', required: true }] },
  })
  expect(query.statusCode, query.body).toBe(201)
  a.queryId = query.json().id as string

  readKeyA = (await createApiKey(ctx.app, a.org, ['read'])).key
  writeKeyA = (await createApiKey(ctx.app, a.org, ['read', 'write'])).key
  // Members create no keys: an admin's key whose creator then becomes a member acts as a member.
  const memberA = await addMember(ctx.app, a.org, 'admin')
  memberWriteKeyA = (await createApiKey(ctx.app, a.org, ['read', 'write'], memberA)).key
  const demoted = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${a.org.id}/members/${memberA.userId}`, headers: a.org.owner.headers, payload: { role: 'member' } })
  expect(demoted.statusCode, demoted.body).toBe(200)
  readKeyB = (await createApiKey(ctx.app, b.org, ['read'])).key
  writeKeyB = (await createApiKey(ctx.app, b.org, ['read', 'write'])).key

  baseUrl = await ctx.app.listen({ port: 0, host: '127.0.0.1' })
})

afterAll(async () => {
  for (const client of clients) {
    await client.close().catch(() => undefined)
  }
  await scratch?.end()
  await ctx.close()
  await ctx.admin.query(`drop database if exists ${scratchDb} with (force)`).catch(() => undefined)
})

describe('MCP server', () => {
  it('lists the twelve tools with their input schemas and opens a session', async () => {
    const { client, transport } = await connect(readKeyA)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual([
      'list_dashboards', 'get_dashboard', 'list_metrics', 'query_metric', 'list_pipelines', 'get_pipeline_runs', 'trigger_pipeline_run',
      'list_saved_queries', 'run_saved_query', 'search_tool_calls', 'get_error_summary', 'resolve_error',
    ])
    const queryMetric = tools.find((tool) => tool.name === 'query_metric')!
    expect(queryMetric.inputSchema).toMatchObject({ type: 'object', required: ['metricId'], additionalProperties: false })
    expect(Object.keys(queryMetric.inputSchema.properties ?? {})).toEqual(['metricId', 'from', 'to', 'bucket', 'aggregation', 'groupBy', 'filters', 'tz'])
    expect(tools.find((tool) => tool.name === 'resolve_error')!.annotations).toMatchObject({ readOnlyHint: false })
    expect(tools.every((tool) => tool.description && tool.description.length > 40)).toBe(true)
    expect(client.getServerVersion()).toMatchObject({ name: 'tessera' })
    expect(transport.sessionId).toMatch(/^tms1\./)
    expect(transport.protocolVersion).toBe(LATEST_PROTOCOL_VERSION)
  })

  it("answers every read tool with the key's organization's data", async () => {
    const { client } = await connect(readKeyA)
    const dashboards = json(await call(client, 'list_dashboards')) as { dashboards: Array<{ id: string; name: string }>; total: number }
    expect(dashboards.dashboards.map((d) => d.name)).toEqual(['Alpha traffic dashboard'])

    const dashboard = json(await call(client, 'get_dashboard', { dashboardId: a.dashboardId, range: '24h' })) as {
      dashboard: { name: string }; widgets: Array<{ title: string; data: { status: string; series?: { points: Array<{ value: number }> } } }>
    }
    expect(dashboard.dashboard.name).toBe('Alpha traffic dashboard')
    expect(dashboard.widgets).toHaveLength(1)
    expect(dashboard.widgets[0]!.title).toBe('Alpha requests')
    expect(dashboard.widgets[0]!.data.status).toBe('ok')
    const widgetTotal = JSON.stringify(dashboard.widgets[0]!.data).match(/"value":(\d+)/g)?.map((m) => Number(m.split(':')[1])).reduce((x, y) => x + y, 0)
    expect(widgetTotal).toBe(78)

    const metrics = json(await call(client, 'list_metrics')) as { metrics: Array<{ id: string; name: string }> }
    expect(metrics.metrics.map((m) => m.name)).toEqual(['alpha.requests'])

    const from = new Date(Date.now() - 3_600_000).toISOString()
    const series = json(await call(client, 'query_metric', { metricId: a.metricId, from, bucket: '1h', aggregation: 'sum', groupBy: 'region' })) as { points: Array<{ value: number; group: string }> }
    const byRegion = Object.fromEntries(['eu', 'us'].map((region) => [region, series.points.filter((p) => p.group === region).reduce((sum, p) => sum + p.value, 0)]))
    expect(byRegion).toEqual({ eu: 2 + 4 + 6 + 8 + 10 + 12, us: 1 + 3 + 5 + 7 + 9 + 11 })
    const filtered = json(await call(client, 'query_metric', { metricId: a.metricId, from, bucket: '1h', filters: { region: 'eu' } })) as { points: Array<{ value: number }> }
    expect(filtered.points.reduce((sum, p) => sum + p.value, 0)).toBe(42)

    const pipelines = json(await call(client, 'list_pipelines')) as { pipelines: Array<{ id: string; name: string }> }
    expect(pipelines.pipelines.map((p) => p.name)).toEqual(['Alpha orders pipeline'])
    const runs = json(await call(client, 'get_pipeline_runs', { pipelineId: a.pipelineId })) as { runs: unknown[] }
    expect(runs.runs).toEqual([])

    const queries = json(await call(client, 'list_saved_queries')) as { queries: Array<{ id: string; name: string }> }
    expect(queries.queries.map((q) => q.name)).toEqual(['Alpha items by kind'])
    const run = json(await call(client, 'run_saved_query', { queryId: a.queryId, params: { kind: 'tool' } })) as { rows: Array<{ n: number }> }
    expect(run.rows).toEqual([{ n: 10 }])

    const summary = json(await call(client, 'get_error_summary', { days: 2 })) as { totals: { errors: number; unresolved: number }; recentErrors: Array<{ id: string; message: string }> }
    expect(summary.totals).toEqual({ errors: 1, unresolved: 1 })
    expect(summary.recentErrors.map((e) => [e.id, e.message])).toEqual([[a.errorId, 'Alpha database connection refused']])

    await loggedCalls(a.org.id, 'get_error_summary', 1)
    const search = json(await call(client, 'search_tool_calls', { tool: 'list_metrics' })) as { calls: Array<{ tool: string; success: boolean; client: { name: string } }> }
    expect(search.calls.length).toBeGreaterThanOrEqual(1)
    expect(search.calls[0]).toMatchObject({ tool: 'list_metrics', success: true, client: { name: 'tessera-test', version: '1.2.3' } })
  })

  it("never shows organization A's data to a key of organization B", async () => {
    const { client } = await connect(readKeyB)
    const secrets = [a.org.id, a.metricId, a.dashboardId, a.pipelineId, a.queryId!, 'Alpha']
    const answers: string[] = []
    const expectNotFound = async (name: string, args: Record<string, unknown>) => {
      const result = await call(client, name, args)
      expect(errorText(result)).toContain('not_found')
      answers.push(JSON.stringify(result))
    }
    await expectNotFound('get_dashboard', { dashboardId: a.dashboardId })
    await expectNotFound('query_metric', { metricId: a.metricId })
    await expectNotFound('get_pipeline_runs', { pipelineId: a.pipelineId })
    await expectNotFound('run_saved_query', { queryId: a.queryId, params: { kind: 'tool' } })
    for (const name of ['list_dashboards', 'list_metrics', 'list_pipelines', 'list_saved_queries', 'get_error_summary']) {
      answers.push(JSON.stringify(json(await call(client, name))))
    }
    const all = answers.join('\n')
    for (const secret of secrets) {
      expect(all).not.toContain(secret)
    }
    expect(all).toContain('Bravo traffic dashboard')

    // B's search finds B's own calls (with the ids B sent), never one of A's.
    const callsOfA = await loggedCalls(a.org.id, 'list_metrics', 1)
    await logged('organization_id = $1', [b.org.id], 9)
    const search = json(await call(client, 'search_tool_calls', { from: new Date(Date.now() - 3_600_000).toISOString(), limit: 100 })) as { calls: Array<{ executionId: string; userId: string }> }
    expect(search.calls.length).toBeGreaterThanOrEqual(9)
    expect(search.calls.every((found) => found.userId === b.org.owner.userId)).toBe(true)
    expect(search.calls.map((found) => found.executionId)).not.toContain(callsOfA[0]!.execution_id)

    const write = (await connect(writeKeyB)).client
    const resolved = await call(write, 'resolve_error', { errorId: a.errorId, notes: 'closed by B' })
    expect(errorText(resolved)).toContain('not_found')
    const trigger = await call(write, 'trigger_pipeline_run', { pipelineId: a.pipelineId })
    expect(errorText(trigger)).toContain('not_found')
    const { rows } = await ctx.admin.query('select resolved from telemetry.error_logs where id = $1', [a.errorId])
    expect(rows[0].resolved).toBe(false)
  })

  it('refuses write tools without the write scope or the role, and resolves an error with both', async () => {
    const read = (await connect(readKeyA)).client
    expect(errorText(await call(read, 'trigger_pipeline_run', { pipelineId: a.pipelineId }))).toMatch(/needs an API key with the "write" scope/)
    expect(errorText(await call(read, 'resolve_error', { errorId: a.errorId, notes: 'fixed' }))).toMatch(/"write" scope/)

    const member = (await connect(memberWriteKeyA)).client
    expect(errorText(await call(member, 'resolve_error', { errorId: a.errorId, notes: 'fixed' }))).toMatch(/owner, admin .*forbidden/)

    const write = (await connect(writeKeyA)).client
    // A realtime pipeline has no source to fetch: the tool answers why (a tool error, not a crash).
    expect(errorText(await call(write, 'trigger_pipeline_run', { pipelineId: a.pipelineId }))).toContain('(conflict)')
    const resolved = json(await call(write, 'resolve_error', { errorId: a.errorId, notes: 'Restarted the replica' })) as { error: { resolved: boolean; resolutionNotes: string } }
    expect(resolved.error).toMatchObject({ resolved: true, resolutionNotes: 'Restarted the replica' })
    const { rows } = await ctx.admin.query('select resolved, resolution_notes, resolved_by, resolved_at from telemetry.error_logs where id = $1', [a.errorId])
    expect(rows[0]).toMatchObject({ resolved: true, resolution_notes: 'Restarted the replica', resolved_by: a.org.owner.userId })
    expect(rows[0].resolved_at).toBeInstanceOf(Date)

    const logged = await loggedCalls(a.org.id, 'trigger_pipeline_run', 2)
    expect(logged.map((row) => [row.success, row.error_type, row.error_code])).toEqual([[false, 'tool', 'insufficient_scope'], [false, 'tool', 'conflict']])
    const resolveLogs = await loggedCalls(a.org.id, 'resolve_error', 3)
    expect(resolveLogs.map((row) => [row.success, row.error_code])).toEqual([[false, 'insufficient_scope'], [false, 'forbidden'], [true, null]])
  })

  it('logs every call, with success and error type for valid, invalid and failing calls', async () => {
    const { client, transport } = await connect(readKeyA, 'logging-client')
    const traceId = randomBytes(16).toString('hex')
    const ok = await client.callTool({ name: 'list_metrics', arguments: { search: 'alpha' }, _meta: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } })
    expect(ok.isError).toBeFalsy()
    // Invalid arguments: under 2025-11-25 (SEP-1303) a tool execution error the model can read.
    const invalid = (await client.callTool({ name: 'query_metric', arguments: { metricId: 'not-a-uuid', apiKey: 'tsk_secret_value' } })) as CallToolResult
    expect(errorText(invalid)).toMatch(/Invalid arguments for query_metric/)
    const missing = (await client.callTool({ name: 'get_dashboard', arguments: { dashboardId: randomUUID() } })) as CallToolResult
    expect(errorText(missing)).toContain('not_found')
    await expect(client.callTool({ name: 'drop_everything', arguments: {} })).rejects.toBeInstanceOf(McpError)

    const sessionRows = async () => {
      const deadline = Date.now() + 5_000
      for (;;) {
        const { rows } = await ctx.admin.query<LogRow>("select * from telemetry.tool_usage_logs where client_name = 'logging-client' order by \"timestamp\", id")
        if (rows.length >= 4 || Date.now() > deadline) return rows
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    const rows = await sessionRows()
    expect(rows.map((row) => [row.tool_name, row.success, row.error_type, row.error_code])).toEqual([
      ['list_metrics', true, null, null],
      ['query_metric', false, 'protocol', 'invalid_arguments'],
      ['get_dashboard', false, 'tool', 'not_found'],
      ['drop_everything', false, 'protocol', 'unknown_tool'],
    ])
    const [success, invalidRow, failed] = rows as [LogRow, LogRow, LogRow]
    const sessionId = rows[0]!.session_id
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(transport.sessionId).toContain('.')
    for (const row of rows) {
      expect(row).toMatchObject({
        organization_id: a.org.id, user_id: a.org.owner.userId, bcp_name: 'tessera', source: 'tessera', session_id: sessionId,
        client_name: 'logging-client', client_version: '1.2.3', protocol_version: LATEST_PROTOCOL_VERSION, tool_version: '0.1.0',
      })
      expect(row.request_id).toBeTruthy()
    }
    expect(success).toMatchObject({ trace_id: traceId, parameters: { search: 'alpha' }, parameters_hash: parametersHash({ search: 'alpha' }), cache_hit: false })
    expect(success.response_size_bytes).toBeGreaterThan(20)
    expect(JSON.stringify(success.response_data)).toContain('alpha.requests')
    expect(invalidRow.parameters).toEqual({ metricId: 'not-a-uuid', apiKey: '[redacted]' })
    expect(invalidRow.error_message).toMatch(/metricId/)
    expect(failed.error_message).toMatch(/does not exist/)
    expect(failed.response_data).toBeNull()
  })

  it('answers invalid arguments as a JSON-RPC protocol error to clients of protocol 2025-06-18', async () => {
    const headers = { ...bearer(readKeyA), 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    const init = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'older-client', version: '0.9' } } }),
    })
    expect(init.status).toBe(200)
    expect(((await init.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-06-18')
    const session = init.headers.get('mcp-session-id')!
    const call2 = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_dashboard', arguments: { dashboardId: 42 } } }),
    })
    const body = (await call2.json()) as { error?: { code: number; message: string } }
    expect(body.error?.code).toBe(-32602)
    expect(body.error?.message).toMatch(/Invalid arguments for get_dashboard/)
    const rows = await logged("client_name = 'older-client'", [], 1)
    expect(rows[0]).toMatchObject({ success: false, error_type: 'protocol', protocol_version: '2025-06-18', client_version: '0.9' })

    const forged = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': `${session.slice(0, -3)}abc` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    })
    expect(forged.status).toBe(404)
    const otherKey = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { ...headers, ...bearer(writeKeyA), 'mcp-session-id': session },
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }),
    })
    expect(otherKey.status).toBe(404)
  })

  it('authenticates with API keys only, with the read scope', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    const anonymous = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers, body })
    expect(anonymous.status).toBe(401)
    const session = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers: { ...headers, cookie: a.org.owner.cookie, 'x-csrf-token': a.org.owner.csrf }, body })
    expect(session.status).toBe(401)
    const ingestOnly = (await createApiKey(ctx.app, a.org, ['ingest'])).key
    const scoped = await fetch(`${baseUrl}/mcp`, { method: 'POST', headers: { ...headers, ...bearer(ingestOnly) }, body })
    expect(scoped.status).toBe(403)
    expect(((await scoped.json()) as { error: { code: string } }).error.code).toBe('insufficient_scope')
    const get = await fetch(`${baseUrl}/mcp`, { headers: bearer(readKeyA) })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })
})
