import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline } from '../../../test/ingest.ts'
import { addMember, bearer, createApiKey, createOrg, createTeam, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const url = (org: OrgFixture, suffix = '') => `/api/v1/orgs/${org.id}/pipelines${suffix}`

const MAPPING = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.temp', field: 'temperature', type: 'number' },
    { path: '$.at', field: 'at', type: 'timestamp' },
  ],
  transformations: [],
  timestampField: 'at',
}

describe('pipelines', () => {
  it('creates a realtime pipeline whose webhook URL is shown once and stored as a SHA-256', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Events', type: 'realtime', description: 'Pushed events' } })
    expect(response.statusCode).toBe(201)
    const created = response.json()
    expect(created).toMatchObject({ name: 'Events', type: 'realtime', status: 'active', persistData: true, hasWebhook: true, sourceType: 'push', sinks: [], mapping: null })
    expect(created.ingestUrl).toBe(`http://tessera.test/api/v1/ingest/${created.id}`)
    const match = new RegExp(`^http://tessera\\.test/api/v1/hooks/${created.id}/([\\w-]{43})$`).exec(created.webhookUrl)
    expect(match).not.toBeNull()
    const secret = match![1]!
    const { rows } = await ctx.admin.query('select webhook_secret_hash, source_config_encrypted from ingest.pipelines where id = $1', [created.id])
    expect(rows[0].webhook_secret_hash).toBe(createHash('sha256').update(secret).digest('hex'))
    expect(rows[0].source_config_encrypted).toMatch(/^v1:/)
    expect(rows[0].source_config_encrypted).not.toContain(secret)

    const fetched = await ctx.app.inject({ method: 'GET', url: url(org, `/${created.id}`), headers: org.owner.headers })
    expect(fetched.statusCode).toBe(200)
    expect(fetched.json().webhookUrl).toBeUndefined()
    expect(fetched.body).not.toContain(secret)

    const rotated = await ctx.app.inject({ method: 'POST', url: url(org, `/${created.id}/webhook-secret`), headers: org.owner.headers })
    expect(rotated.statusCode).toBe(200)
    expect(rotated.json().webhookUrl).not.toBe(created.webhookUrl)
  })

  it('forces persistData off for p2p pipelines and requires a schedule for polling ones', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const p2p = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Relay', type: 'p2p', persistData: true } })
    expect(p2p.statusCode).toBe(201)
    expect(p2p.json()).toMatchObject({ persistData: false, hasWebhook: true, webhookUrl: expect.stringContaining('/api/v1/hooks/') })
    const patched = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${p2p.json().id}`), headers: org.owner.headers, payload: { persistData: true } })
    expect(patched.statusCode).toBe(400)

    const unscheduled = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Poller', type: 'polling' } })
    expect(unscheduled.statusCode).toBe(400)
    expect(unscheduled.json().error.code).toBe('validation_failed')
    const badCron = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Poller', type: 'polling', cronSchedule: 'every minute!' } })
    expect(badCron.statusCode).toBe(400)
    const cron = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Cron', type: 'polling', cronSchedule: '*/5 * * * *' } })
    expect(cron.statusCode).toBe(201)
    const polling = await ctx.app.inject({ method: 'POST', url: url(org), headers: org.owner.headers, payload: { name: 'Poller', type: 'polling', intervalSeconds: 60, retentionDays: 30 } })
    expect(polling.statusCode).toBe(201)
    expect(polling.json()).toMatchObject({ intervalSeconds: 60, retentionDays: 30, hasWebhook: false, nextRunAt: expect.any(String) })
    const cleared = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${polling.json().id}`), headers: org.owner.headers, payload: { intervalSeconds: null } })
    expect(cleared.statusCode).toBe(400)

    // The first scheduled run is one interval (or cron slot) away, and a new schedule counts from now.
    const dueIn = (body: { nextRunAt: string }) => new Date(body.nextRunAt).getTime() - Date.now()
    expect(dueIn(polling.json())).toBeGreaterThan(50_000)
    expect(new Date(cron.json().nextRunAt).getUTCMinutes() % 5).toBe(0)
    const daily = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${polling.json().id}`), headers: org.owner.headers, payload: { intervalSeconds: 86_400 } })
    expect(dueIn(daily.json())).toBeGreaterThan(86_000_000)
    const hourly = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${polling.json().id}`), headers: org.owner.headers, payload: { intervalSeconds: 3600 } })
    expect(dueIn(hourly.json())).toBeLessThanOrEqual(3_600_000)
  })

  it('validates the mapping with the engine, and versions it', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const bad = await ctx.app.inject({
      method: 'POST',
      url: url(org),
      headers: org.owner.headers,
      payload: { name: 'Bad', type: 'realtime', mapping: { mappings: [{ path: 'not a path', field: 'x', type: 'string' }], transformations: [] } },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBe('invalid_mapping')
    expect((await ctx.admin.query('select count(*)::int as n from ingest.pipelines where organization_id = $1', [org.id])).rows[0].n).toBe(0)

    const pipeline = await createPipeline(ctx.app, org, { mapping: MAPPING })
    const fetched = (await ctx.app.inject({ method: 'GET', url: url(org, `/${pipeline.id}`), headers: org.owner.headers })).json()
    expect(fetched.mapping).toMatchObject({ version: 1, timestampField: 'at', mappings: expect.arrayContaining([expect.objectContaining({ field: 'temperature' })]) })

    const put = await ctx.app.inject({ method: 'PUT', url: url(org, `/${pipeline.id}/mapping`), headers: org.owner.headers, payload: { ...MAPPING, timestampField: null } })
    expect(put.statusCode).toBe(200)
    expect(put.json()).toMatchObject({ version: 2, timestampField: null })
    const badPut = await ctx.app.inject({ method: 'PUT', url: url(org, `/${pipeline.id}/mapping`), headers: org.owner.headers, payload: { mappings: [{ field: 'x' }] } })
    expect(badPut.statusCode).toBe(400)
    expect(badPut.json().error.code).toBe('invalid_mapping')

    expect((await ctx.app.inject({ method: 'DELETE', url: url(org, `/${pipeline.id}/mapping`), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: url(org, `/${pipeline.id}`), headers: org.owner.headers })).json().mapping).toBeNull()
    expect((await ctx.app.inject({ method: 'DELETE', url: url(org, `/${pipeline.id}/mapping`), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it('lists pipelines with their status, pauses with a reason and resumes', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const first = await createPipeline(ctx.app, org, { name: 'First' })
    await createPipeline(ctx.app, org, { name: 'Second' })
    const paused = await ctx.app.inject({ method: 'POST', url: url(org, `/${first.id}/pause`), headers: org.owner.headers, payload: { reason: 'Maintenance' } })
    expect(paused.statusCode).toBe(200)
    expect(paused.json()).toMatchObject({ status: 'paused', statusReason: 'Maintenance' })
    const list = await ctx.app.inject({ method: 'GET', url: url(org), headers: org.owner.headers })
    expect(list.json().pipelines.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([['Second', 'active'], ['First', 'paused']])
    const resumed = await ctx.app.inject({ method: 'POST', url: url(org, `/${first.id}/resume`), headers: org.owner.headers })
    expect(resumed.json()).toMatchObject({ status: 'active', statusReason: null })
  })

  it('updates settings, keeps names unique and checks references', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const other = await createOrg(ctx.app, await registerUser(ctx.app))
    const teamId = await createTeam(ctx.app, org)
    const otherTeam = await createTeam(ctx.app, other)
    const pipeline = await createPipeline(ctx.app, org, { name: 'One', teamId })
    await createPipeline(ctx.app, org, { name: 'Two' })
    const patched = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${pipeline.id}`), headers: org.owner.headers, payload: { description: 'Changed', retentionDays: 7, teamId: null } })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ description: 'Changed', retentionDays: 7, teamId: null, type: 'realtime' })
    const taken = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${pipeline.id}`), headers: org.owner.headers, payload: { name: 'Two' } })
    expect(taken.statusCode).toBe(409)
    const foreignTeam = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${pipeline.id}`), headers: org.owner.headers, payload: { teamId: otherTeam } })
    expect(foreignTeam.statusCode).toBe(400)
    const typeChange = await ctx.app.inject({ method: 'PATCH', url: url(org, `/${pipeline.id}`), headers: org.owner.headers, payload: { type: 'p2p' } })
    expect(typeChange.statusCode).toBe(400)
  })

  it('keeps secret-looking source settings encrypted and out of every answer', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({
      method: 'POST',
      url: url(org),
      headers: org.owner.headers,
      payload: { name: 'Poll', type: 'polling', intervalSeconds: 60, sourceConfig: { url: 'https://api.example.com/items', apiKey: 'sk-live-abcdef', password: 'hunter2-hunter2' } },
    })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({ sourceConfig: { url: 'https://api.example.com/items' }, sourceConfigSecrets: ['apiKey', 'password'] })
    expect(response.body).not.toContain('sk-live-abcdef')
    const { rows } = await ctx.admin.query('select source_config::text as plain, source_config_encrypted from ingest.pipelines where id = $1', [response.json().id])
    expect(rows[0].plain).not.toContain('hunter2')
    expect(rows[0].source_config_encrypted).not.toContain('hunter2')
    const audit = await ctx.admin.query("select count(*)::int as n from audit.audit_log where table_name = 'ingest.pipelines' and new_values::text like '%hunter2%'")
    expect(audit.rows[0].n).toBe(0)
  })

  it('deletes a pipeline with its sinks, mapping and data', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org, { mapping: MAPPING, sinks: [{ sinkType: 'webhook', config: { url: 'https://hooks.example.com/in' } }] })
    expect((await ctx.app.inject({ method: 'DELETE', url: url(org, `/${pipeline.id}`), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: url(org, `/${pipeline.id}`), headers: org.owner.headers })).statusCode).toBe(404)
    const { rows } = await ctx.admin.query(
      `select (select count(*) from ingest.pipeline_sinks where pipeline_id = $1)::int as sinks, (select count(*) from ingest.data_mappings where pipeline_id = $1)::int as mappings`,
      [pipeline.id])
    expect(rows[0]).toEqual({ sinks: 0, mappings: 0 })
    expect((await ctx.app.inject({ method: 'DELETE', url: url(org, `/${pipeline.id}`), headers: org.owner.headers })).statusCode).toBe(404)
  })
})

describe('pipeline roles and credentials', () => {
  it('lets viewers read, members write, and read-scoped API keys only read', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const viewer = await addMember(ctx.app, org, 'viewer')
    const member = await addMember(ctx.app, org, 'member')
    const pipeline = await createPipeline(ctx.app, org, {}, member)
    const id = pipeline.id
    expect((await ctx.app.inject({ method: 'GET', url: url(org), headers: viewer.headers })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'GET', url: url(org, `/${id}/data`), headers: viewer.headers })).statusCode).toBe(200)
    for (const request of [
      { method: 'POST' as const, url: url(org), payload: { name: 'By viewer', type: 'realtime' } },
      { method: 'PATCH' as const, url: url(org, `/${id}`), payload: { name: 'Renamed' } },
      { method: 'POST' as const, url: url(org, `/${id}/pause`), payload: {} },
      { method: 'PUT' as const, url: url(org, `/${id}/mapping`), payload: MAPPING },
      { method: 'POST' as const, url: url(org, `/${id}/sinks`), payload: { sinkType: 'webhook', config: { url: 'https://x.example.com' } } },
      { method: 'DELETE' as const, url: url(org, `/${id}`) },
    ]) {
      const response = await ctx.app.inject({ ...request, headers: viewer.headers })
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403)
      expect(response.json().error.code).toBe('forbidden')
    }
    expect((await ctx.app.inject({ method: 'PATCH', url: url(org, `/${id}`), headers: member.headers, payload: { name: 'By member' } })).statusCode).toBe(200)

    const read = await createApiKey(ctx.app, org, ['read'])
    for (const path of ['', `/${id}`, `/${id}/sinks`, `/${id}/data`]) {
      expect((await ctx.app.inject({ method: 'GET', url: url(org, path), headers: bearer(read.key) })).statusCode, path).toBe(200)
    }
    expect((await ctx.app.inject({ method: 'POST', url: url(org), headers: bearer(read.key), payload: { name: 'By key', type: 'realtime' } })).statusCode).toBe(401)
    const ingestOnly = await createApiKey(ctx.app, org, ['ingest'])
    const scoped = await ctx.app.inject({ method: 'GET', url: url(org), headers: bearer(ingestOnly.key) })
    expect(scoped.statusCode).toBe(403)
    expect(scoped.json().error.code).toBe('insufficient_scope')
  })

  it("answers 404 for another organization's pipeline", async () => {
    const orgA = await createOrg(ctx.app, await registerUser(ctx.app))
    const orgB = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, orgA)
    expect((await ctx.app.inject({ method: 'GET', url: url(orgB, `/${pipeline.id}`), headers: orgB.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: url(orgA, `/${pipeline.id}`), headers: orgB.owner.headers })).statusCode).toBe(404)
  })
})
