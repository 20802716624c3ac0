import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createApiKey, createOrg } from '../../../test/tenancy.ts'

/** The official MCP Inspector, in CLI mode, against a listening Tessera: a second, independent client. */

const run = promisify(execFile)
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules/.bin/mcp-inspector')

let ctx: TestContext
let mcpUrl: string
let key: string
// The Inspector keeps a catalog and storage under HOME: a throwaway one, not the machine user's.
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-inspector-'))

async function inspect(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const command = [CLI, '--cli', mcpUrl, '--transport', 'http', '--header', `Authorization: Bearer ${key}`, ...args]
  try {
    const { stdout, stderr } = await run(process.execPath, command, { timeout: 60_000, env: { ...process.env, HOME: home, MCP_CATALOG_PATH: path.join(home, 'mcp.json') } })
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number }
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? -1 }
  }
}

beforeAll(async () => {
  ctx = await createTestApp()
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  key = (await createApiKey(ctx.app, org, ['read'])).key
  const metric = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name: 'inspected.metric', displayName: 'Inspected' } })
  expect(metric.statusCode).toBe(201)
  mcpUrl = `${await ctx.app.listen({ port: 0, host: '127.0.0.1' })}/mcp`
})

afterAll(async () => {
  await ctx.close()
  rmSync(home, { recursive: true, force: true })
})

describe('MCP Inspector CLI', () => {
  it('lists the tools, whose schemas pass its strict portability check', async () => {
    const listed = await inspect(['--method', 'tools/list', '--strict'])
    expect(listed.code, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toHaveLength(12)
  }, 90_000)

  it('calls a tool, and reports invalid arguments as the tool error they are', async () => {
    const called = await inspect(['--method', 'tools/call', '--tool-name', 'list_metrics'])
    expect(called.code, called.stderr).toBe(0)
    expect(JSON.parse(called.stdout).structuredContent.metrics[0].name).toBe('inspected.metric')
    const invalid = await inspect(['--method', 'tools/call', '--tool-name', 'query_metric', '--tool-arg', 'metricId=nope'])
    expect(JSON.parse(invalid.stdout)).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/Invalid arguments for query_metric/) }] })
    expect(invalid.stderr).toContain('tool_is_error')
  }, 90_000)
})
