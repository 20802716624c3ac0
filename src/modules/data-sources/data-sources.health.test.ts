import type { JobHelpers } from 'graphile-worker'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createDataSource, dataSourcesUrl, setOutboundAllowlist } from '../../../test/data-sources.ts'
import { sendJson, startHttpPeer, type HttpPeer } from '../../../test/http-peer.ts'
import { testRuntime } from '../../../test/runtime.ts'
import { addMember, createOrg } from '../../../test/tenancy.ts'
import { JOB_SCHEDULE, buildTasks } from '../jobs/jobs.tasks.ts'
import { runDataSourceHealthChecks } from './data-sources.jobs.ts'

let ctx: TestContext
let api: HttpPeer
let healthy = true

beforeAll(async () => {
  ctx = await createTestApp()
  api = await startHttpPeer((request, response) => {
    if (request.url === '/slow') {
      setTimeout(() => sendJson(response, 200, [{ id: 1 }]), 2_300)
      return
    }
    if (request.url === '/flaky' && !healthy) {
      return sendJson(response, 503, { error: 'maintenance' })
    }
    sendJson(response, 200, [{ id: 1 }])
  })
  await setOutboundAllowlist(ctx, ['127.0.0.1'])
})
afterAll(async () => {
  await api?.close()
  await ctx.close()
})

async function health(id: string) {
  const { rows } = await ctx.admin.query<{ health_status: string; last_health_check: Date | null; last_health_error: string | null }>(
    'select health_status, last_health_check, last_health_error from app.data_sources where id = $1',
    [id],
  )
  return rows[0]!
}

describe('data-sources:health', () => {
  it('is scheduled every five minutes', () => {
    expect(JOB_SCHEDULE.split('\n')).toContain('*/5 * * * * data-sources:health ?max=1')
  })

  it('checks every source of every organization and records healthy, degraded, unhealthy and unknown', async () => {
    const orgA = await createOrg(ctx.app, await registerUser(ctx.app))
    const orgB = await createOrg(ctx.app, await registerUser(ctx.app))
    const flaky = await createDataSource(ctx.app, orgA, { name: 'Flaky', type: 'api', config: { url: `${api.url}/flaky` } })
    const slow = await createDataSource(ctx.app, orgA, { name: 'Slow', type: 'api', config: { url: `${api.url}/slow` } })
    const push = await createDataSource(ctx.app, orgA, { name: 'Push', type: 'push' })
    const down = await createDataSource(ctx.app, orgB, { name: 'Down', type: 'postgresql', config: { host: '127.0.0.1', port: 1, database: 'x', user: 'y', sslMode: 'disable' } })
    expect(flaky.healthStatus).toBe('healthy')
    // Forget what creation found, so the job's own writes are what the assertions see.
    await ctx.admin.query("update app.data_sources set health_status = 'unknown', last_health_check = null, last_health_error = null where organization_id = any($1)", [[orgA.id, orgB.id]])

    healthy = false
    const task = buildTasks(testRuntime(ctx.services, ctx.database, ctx.testDb), pino({ level: 'silent' }))['data-sources:health']!
    await task({}, {} as JobHelpers)

    expect(await health(flaky.id)).toMatchObject({ health_status: 'unhealthy', last_health_error: `127.0.0.1:${api.port} answered HTTP 503 Service Unavailable: {"error":"maintenance"}` })
    expect(await health(slow.id)).toMatchObject({ health_status: 'degraded', last_health_error: null })
    expect(await health(push.id)).toMatchObject({ health_status: 'unknown', last_health_error: null })
    expect(await health(down.id)).toMatchObject({ health_status: 'unhealthy', last_health_error: 'Could not connect to PostgreSQL at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1' })
    for (const id of [flaky.id, slow.id, push.id, down.id]) {
      expect((await health(id)).last_health_check).toBeInstanceOf(Date)
    }

    healthy = true
    const summary = await runDataSourceHealthChecks(ctx.services, pino({ level: 'silent' }))
    expect(summary).toMatchObject({ healthy: 1, degraded: 1, unhealthy: 1, unknown: 1, skipped: 0 })
    expect(await health(flaky.id)).toMatchObject({ health_status: 'healthy', last_health_error: null })
    const shown = await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(orgA, `/${flaky.id}`), headers: orgA.owner.headers })
    expect(shown.json()).toMatchObject({ healthStatus: 'healthy', lastHealthError: null, lastHealthCheck: expect.any(String) })
  })

  it("acts as an owner when the source's creator has left the organization", async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    const created = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: member.headers, payload: { name: 'Orphan', type: 'api', config: { url: `${api.url}/ok` } } })
    expect(created.statusCode).toBe(201)
    const id = created.json().id
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${org.id}/members/${member.userId}`, headers: org.owner.headers })).statusCode).toBe(204)
    await ctx.admin.query("update app.data_sources set health_status = 'unknown', last_health_check = null where id = $1", [id])

    await runDataSourceHealthChecks(ctx.services, pino({ level: 'silent' }))
    expect(await health(id)).toMatchObject({ health_status: 'healthy' })
  })
})
