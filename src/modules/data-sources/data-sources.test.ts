import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createDataSource, dataSourcesUrl, setOutboundAllowlist } from '../../../test/data-sources.ts'
import { addMember, bearer, createApiKey, createOrg } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { loadDataSourceForRun } from './fetch-source.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
  await setOutboundAllowlist(ctx, [])
})
afterAll(async () => {
  await ctx.close()
})

// Port 1 on loopback: nothing listens, so probes fail fast and predictably.
const PG_CONFIG = { host: '127.0.0.1', port: 1, database: 'warehouse', user: 'reader', password: 'pg-secret-pass', sslMode: 'disable' }
const API_CONFIG = {
  url: 'http://127.0.0.1:1/records',
  headers: { 'X-Api-Token': 'header-secret-value', Accept: 'application/json' },
  auth: { type: 'bearer', token: 'bearer-secret-token' },
  pagination: { type: 'page', param: 'page', size: 50, maxPages: 3 },
  recordsPath: 'data.items',
}
const SECRETS = ['pg-secret-pass', 'header-secret-value', 'bearer-secret-token']

async function storedRow(id: string) {
  const { rows } = await ctx.admin.query<{ connection_config: unknown; credentials_encrypted: string | null }>('select connection_config, credentials_encrypted from app.data_sources where id = $1', [id])
  return rows[0]!
}

describe('data sources CRUD', () => {
  it('creates, lists, reads, updates and deletes a source; a push source stays unknown', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const push = await createDataSource(ctx.app, org, { name: 'Webhook feed', type: 'push', description: 'pushed' })
    expect(push).toMatchObject({ name: 'Webhook feed', type: 'push', description: 'pushed', config: {}, hasCredentials: false, healthStatus: 'unknown', file: null, createdBy: org.owner.userId })

    const list = await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(org), headers: org.owner.headers })
    expect(list.json().dataSources.map((s: { id: string }) => s.id)).toEqual([push.id])
    const renamed = await ctx.app.inject({ method: 'PATCH', url: dataSourcesUrl(org, `/${push.id}`), headers: org.owner.headers, payload: { name: 'Feed', description: null } })
    expect(renamed.json()).toMatchObject({ id: push.id, name: 'Feed', description: null })
    expect((await ctx.app.inject({ method: 'DELETE', url: dataSourcesUrl(org, `/${push.id}`), headers: org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(org, `/${push.id}`), headers: org.owner.headers })).statusCode).toBe(404)
  })

  it('answers 409 for a name already used in the organization', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    await createDataSource(ctx.app, org, { name: 'Same', type: 'push' })
    const dup = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: { name: 'Same', type: 'push' } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().error.details).toEqual([{ field: 'name', message: 'is already taken' }])
  })

  it('records the exact failure when the connection made right after creation fails', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const source = await createDataSource(ctx.app, org, { name: 'Down', type: 'postgresql', config: PG_CONFIG })
    expect(source.healthStatus).toBe('unhealthy')
    expect(source.lastHealthError).toBe('Could not connect to PostgreSQL at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1')
    const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
    expect(tested.json()).toMatchObject({ ok: false, error: 'Could not connect to PostgreSQL at 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1' })
  })
})

describe('connection settings', () => {
  it.each([
    ['postgresql', { ...PG_CONFIG, socketPath: '/var/run/postgresql' }, 'config.socketPath'],
    ['mysql', { ...PG_CONFIG, port: 3306, localInfile: true }, 'config.localInfile'],
    ['postgresql', { ...PG_CONFIG, options: '-c search_path=evil' }, 'config.options'],
    ['api', { ...API_CONFIG, proxy: 'http://evil' }, 'config.proxy'],
    ['api', { ...API_CONFIG, auth: { type: 'bearer', token: 'x', extra: 1 } }, 'config.auth.extra'],
    ['push', { anything: 1 }, 'config.anything'],
  ])('refuses a %s config with the unknown key %#', async (type, config, field) => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: { name: 'Bad', type, config } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('validation_failed')
    expect(response.json().error.message).toContain(field)
    expect(response.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]))
  })

  it.each([
    [{ ...PG_CONFIG, host: 'db.internal/evil' }, 'config.host'],
    [{ ...PG_CONFIG, host: 'user@db' }, 'config.host'],
    [{ ...PG_CONFIG, host: 'db internal' }, 'config.host'],
    [{ ...PG_CONFIG, port: 70000 }, 'config.port'],
    [{ ...PG_CONFIG, sslMode: 'allow-everything' }, 'config.sslMode'],
    [{ host: 'db', user: 'x' }, 'config.database'],
  ])('validates host, port, ssl mode and required keys %#', async (config, field) => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const response = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: { name: 'Bad', type: 'postgresql', config } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.details.map((d: { field: string }) => d.field)).toContain(field)
  })

  it('refuses API URLs that are not http(s) or carry credentials, and csv configs', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    for (const url of ['ftp://example.com/x', 'http://user:pass@example.com/', 'not a url']) {
      const response = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: { name: 'Bad', type: 'api', config: { url } } })
      expect(response.statusCode, url).toBe(400)
    }
    const csv = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: org.owner.headers, payload: { name: 'Bad', type: 'csv' } })
    expect(csv.statusCode).toBe(400)
  })
})

describe('secrets', () => {
  it('encrypts credentials at rest and never returns them', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pgSource = await createDataSource(ctx.app, org, { name: 'Warehouse', type: 'postgresql', config: PG_CONFIG })
    const apiSource = await createDataSource(ctx.app, org, { name: 'API', type: 'api', config: API_CONFIG })

    expect(pgSource.config).toEqual({ host: '127.0.0.1', port: 1, database: 'warehouse', user: 'reader', sslMode: 'disable', password: '********' })
    expect(apiSource.config).toMatchObject({
      headers: { 'X-Api-Token': '********', Accept: 'application/json' },
      auth: { type: 'bearer', token: '********' },
      recordsPath: 'data.items',
    })
    expect(apiSource.hasCredentials).toBe(true)

    for (const id of [pgSource.id, apiSource.id]) {
      const row = await storedRow(id)
      expect(row.credentials_encrypted).toMatch(/^v1:/)
      const stored = JSON.stringify(row)
      for (const secret of SECRETS) {
        expect(stored).not.toContain(secret)
      }
    }
    const { rows: audit } = await ctx.admin.query<{ entry: string }>('select to_jsonb(a)::text as entry from audit.audit_log a where organization_id = $1', [org.id])
    expect(audit.length).toBeGreaterThan(0)
    for (const url of [dataSourcesUrl(org), dataSourcesUrl(org, `/${pgSource.id}`), dataSourcesUrl(org, `/${apiSource.id}`)]) {
      const body = (await ctx.app.inject({ method: 'GET', url, headers: org.owner.headers })).body
      for (const secret of SECRETS) {
        expect(body).not.toContain(secret)
      }
    }
    for (const { entry } of audit) {
      expect(entry).not.toContain('v1:')
    }
  })

  it('keeps stored secrets on PATCH unless new ones are given', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const source = await createDataSource(ctx.app, org, { name: 'API', type: 'api', config: API_CONFIG })
    const before = (await storedRow(source.id)).credentials_encrypted

    // Sending back what GET showed (masked) keeps everything.
    const masked = await ctx.app.inject({ method: 'PATCH', url: dataSourcesUrl(org, `/${source.id}`), headers: org.owner.headers, payload: { config: { ...(source.config as object), url: 'http://127.0.0.1:2/records' } } })
    expect(masked.statusCode).toBe(200)
    const sealed = (await storedRow(source.id)).credentials_encrypted
    expect(sealed).not.toBe(before) // re-sealed with a fresh nonce…
    const load = () => withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId }, (trx) => loadDataSourceForRun(trx, org.id, source.id, ctx.services.box))
    expect((await load()).config).toMatchObject({ url: 'http://127.0.0.1:2/records', headers: { 'X-Api-Token': 'header-secret-value' }, auth: { type: 'bearer', token: 'bearer-secret-token' } })

    // A new token replaces the old one; omitting the header value keeps it.
    const replaced = await ctx.app.inject({
      method: 'PATCH',
      url: dataSourcesUrl(org, `/${source.id}`),
      headers: org.owner.headers,
      payload: { config: { url: 'http://127.0.0.1:2/records', headers: { 'X-Api-Token': '********' }, auth: { type: 'bearer', token: 'new-token' } } },
    })
    expect(replaced.json().config.auth).toEqual({ type: 'bearer', token: '********' })
    expect((await load()).config).toMatchObject({ headers: { 'X-Api-Token': 'header-secret-value' }, auth: { token: 'new-token' }, pagination: { type: 'none' } })

    // Switching to basic auth needs its password: nothing to keep.
    const basic = await ctx.app.inject({ method: 'PATCH', url: dataSourcesUrl(org, `/${source.id}`), headers: org.owner.headers, payload: { config: { url: 'http://127.0.0.1:2/', auth: { type: 'basic', username: 'u' } } } })
    expect(basic.statusCode).toBe(400)
    expect(basic.json().error.details).toEqual([{ field: 'config.auth.password', message: 'is required' }])

    // Dropping auth and sensitive headers drops the stored secrets.
    await ctx.app.inject({ method: 'PATCH', url: dataSourcesUrl(org, `/${source.id}`), headers: org.owner.headers, payload: { config: { url: 'http://127.0.0.1:2/' } } })
    expect((await storedRow(source.id)).credentials_encrypted).toBeNull()
  })

  it('binds the ciphertext to its row: copied onto another source it does not decrypt', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const a = await createDataSource(ctx.app, org, { name: 'A', type: 'postgresql', config: PG_CONFIG })
    const b = await createDataSource(ctx.app, org, { name: 'B', type: 'postgresql', config: { ...PG_CONFIG, password: 'other' } })
    await ctx.admin.query('update app.data_sources set credentials_encrypted = (select credentials_encrypted from app.data_sources where id = $1) where id = $2', [a.id, b.id])
    const response = await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(org, `/${b.id}`), headers: org.owner.headers })
    expect(response.statusCode).toBe(500)
  })
})

describe('access', () => {
  it('lets every member read but only owners, admins and members write', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const member = await addMember(ctx.app, org, 'member')
    const viewer = await addMember(ctx.app, org, 'viewer')
    const byMember = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org), headers: member.headers, payload: { name: 'Mine', type: 'push' } })
    expect(byMember.statusCode).toBe(201)
    const id = byMember.json().id
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(org), headers: viewer.headers })).json().dataSources).toHaveLength(1)
    for (const request of [
      { method: 'POST' as const, url: dataSourcesUrl(org), payload: { name: 'Nope', type: 'push' } },
      { method: 'PATCH' as const, url: dataSourcesUrl(org, `/${id}`), payload: { name: 'Nope' } },
      { method: 'DELETE' as const, url: dataSourcesUrl(org, `/${id}`) },
      { method: 'POST' as const, url: dataSourcesUrl(org, `/${id}/test`) },
      { method: 'POST' as const, url: dataSourcesUrl(org, `/${id}/discover`) },
      { method: 'POST' as const, url: dataSourcesUrl(org, '/csv'), payload: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } },
    ]) {
      const response = await ctx.app.inject({ ...request, headers: { ...viewer.headers, ...request.headers } })
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403)
    }
  })

  it("hides another organization's sources (404) and accepts API keys by scope", async () => {
    const orgA = await createOrg(ctx.app, await registerUser(ctx.app))
    const orgB = await createOrg(ctx.app, await registerUser(ctx.app))
    const source = await createDataSource(ctx.app, orgA, { name: 'Secret', type: 'postgresql', config: PG_CONFIG })
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(orgB, `/${source.id}`), headers: orgB.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(orgA, `/${source.id}`), headers: orgB.owner.headers })).statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(orgB), headers: orgB.owner.headers })).json().dataSources).toEqual([])

    const readKey = await createApiKey(ctx.app, orgA, ['read'])
    expect((await ctx.app.inject({ method: 'GET', url: dataSourcesUrl(orgA), headers: bearer(readKey.key) })).json().dataSources).toHaveLength(1)
    const denied = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(orgA), headers: bearer(readKey.key), payload: { name: 'By key', type: 'push' } })
    expect(denied.statusCode).toBe(403)
    const writeKey = await createApiKey(ctx.app, orgA, ['write'])
    expect((await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(orgA), headers: bearer(writeKey.key), payload: { name: 'By key', type: 'push' } })).statusCode).toBe(201)
  })
})
