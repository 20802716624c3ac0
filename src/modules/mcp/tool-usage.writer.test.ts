import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, testConfig, type TestContext } from '../../../test/app.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { buildApp } from '../../app.ts'
import { createDatabase } from '../../platform/db.ts'
import { createServices } from '../../platform/services.ts'
import { canonicalJson, parametersHash, redact, truncateResponse, type ToolCallRecord } from './tool-usage.record.ts'
import { ToolUsageWriter, toolCallsDropped } from './tool-usage.writer.ts'

let ctx: TestContext
let org: OrgFixture

const call = (orgId: string, userId: string, toolName = 'list_metrics'): ToolCallRecord => ({
  orgId, userId, executionId: randomUUID(), bcpName: 'tessera', toolName, operation: 'tools/call', parameters: {}, response: { ok: true },
  durationMs: 3, success: true, source: 'tessera', timestamp: new Date(),
})

const countRows = async (orgId: string) =>
  Number((await ctx.admin.query<{ n: string }>('select count(*) as n from telemetry.tool_usage_logs where organization_id = $1', [orgId])).rows[0]!.n)

const dropped = async () => (await toolCallsDropped.get()).values.reduce((sum, value) => sum + value.value, 0)

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  // Nothing is written by the timer or the batch size during these tests: only stop() flushes.
  await ctx.admin.query("update app.system_settings set setting_value = '600000' where setting_key = 'analytics.flush_interval_ms'")
  await ctx.admin.query("update app.system_settings set setting_value = '10000' where setting_key = 'analytics.batch_size'")
})

afterAll(async () => {
  await ctx.close()
})

describe('ToolUsageWriter', () => {
  it('writes every pending call on shutdown, and keeps other groups when one is refused', async () => {
    const writer = new ToolUsageWriter(ctx.services, ctx.app.log)
    await writer.start()
    for (let i = 0; i < 120; i += 1) writer.record(call(org.id, org.owner.userId))
    // A user who is no member of the organization: RLS refuses the insert of that group only.
    const stranger = await registerUser(ctx.app)
    writer.record(call(org.id, stranger.userId))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await countRows(org.id)).toBe(0)
    const droppedBefore = await dropped()
    await writer.stop()
    expect(await countRows(org.id)).toBe(120)
    expect((await dropped()) - droppedBefore).toBe(1)
    // After stop, a call is written at once (a late request during shutdown is not lost).
    writer.record(call(org.id, org.owner.userId, 'late_call'))
    await writer.flush()
    expect(await countRows(org.id)).toBe(121)
  })

  it('writes the MCP calls still pending when the app closes', async () => {
    const app = await buildApp(ctx.services)
    await app.ready()
    const key = (await createApiKey(ctx.app, org, ['read'])).key
    const response = await app.inject({
      method: 'POST',
      url: '/mcp',
      headers: { ...bearer(key), 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_pipelines', arguments: {} } },
    })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().result.structuredContent).toEqual({ pipelines: [] })
    const logged = () => ctx.admin.query("select success, protocol_version from telemetry.tool_usage_logs where organization_id = $1 and tool_name = 'list_pipelines'", [org.id])
    expect((await logged()).rows).toHaveLength(0)
    await app.close()
    // No initialize, no header: the transport spec's default protocol version.
    expect((await logged()).rows).toEqual([{ success: true, protocol_version: '2025-03-26' }])
  })

  it('never blocks or throws while the database is down, and counts what it gives up', async () => {
    const broken = createDatabase('postgres://nobody@127.0.0.1:1/nothing', { max: 1 })
    const services = createServices(testConfig(), broken, 'postgres://nobody@127.0.0.1:1/nothing', { settingsTtlMs: 0 })
    const writer = new ToolUsageWriter(services, ctx.app.log)
    const droppedBefore = await dropped()
    const started = performance.now()
    for (let i = 0; i < 50; i += 1) writer.record(call(org.id, org.owner.userId))
    expect(performance.now() - started).toBeLessThan(50)
    await writer.stop()
    expect((await dropped()) - droppedBefore).toBe(50)
    await broken.close()
  })
})

describe('tool call records', () => {
  it('redacts secret-looking keys at any depth and hashes canonical JSON', () => {
    expect(redact({ query: 'x', auth: { apiKey: 'k', Password: 'p', nested: [{ access_token: 't', keep: 1 }] } })).toEqual({
      query: 'x', auth: { apiKey: '[redacted]', Password: '[redacted]', nested: [{ access_token: '[redacted]', keep: 1 }] },
    })
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}')
    expect(parametersHash({ b: 1, a: 2 })).toBe(parametersHash({ a: 2, b: 1 }))
    expect(parametersHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/)
    expect(parametersHash({ a: 1 })).not.toBe(parametersHash({ a: 2 }))
  })

  it('keeps responses up to 16 KB and a preview with the full size beyond', () => {
    expect(truncateResponse({ small: true })).toEqual({ data: { small: true }, sizeBytes: 14 })
    const big = { rows: 'x'.repeat(40_000) }
    const stored = truncateResponse(big)
    expect(stored.sizeBytes).toBe(JSON.stringify(big).length)
    expect(stored.data).toMatchObject({ truncated: true, sizeBytes: stored.sizeBytes })
    expect(JSON.stringify(stored.data).length).toBeLessThan(17_000)
  })
})
