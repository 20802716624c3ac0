import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type TestContext } from '../../../test/app.ts'
import { createDataSource, dataSourcesUrl, setOutboundAllowlist } from '../../../test/data-sources.ts'
import { sendJson, startHttpPeer, type HttpPeer } from '../../../test/http-peer.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { fetchFromSource, loadDataSourceForRun, type FetchedPage, type FetchOptions } from './fetch-source.ts'

let ctx: TestContext
let api: HttpPeer
let elsewhere: HttpPeer
let second: HttpPeer
let org: OrgFixture

const ITEMS = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, price: i + 0.5, at: '2024-05-01T10:00:00Z', tags: ['a'] }))

/** The API under test checks each auth mode the way a real provider would. */
function authorized(request: IncomingMessage, url: URL): boolean {
  switch (url.pathname) {
    case '/page':
      return request.headers.authorization === 'Bearer tok-1'
    case '/offset':
      return request.headers.authorization === `Basic ${Buffer.from('ana:s3cret').toString('base64')}`
    case '/cursor':
      return request.headers['x-api-key'] === 'k-123'
    case '/query-key':
      return url.searchParams.get('api_key') === 'q-456'
    default:
      return true
  }
}

beforeAll(async () => {
  ctx = await createTestApp()
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  elsewhere = await startHttpPeer((_request, response) => sendJson(response, 200, []))
  second = await startHttpPeer((_request, response) => sendJson(response, 200, []), '127.0.0.2')
  api = await startHttpPeer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://api')
    if (!authorized(request, url)) {
      return sendJson(response, 401, { error: 'bad credentials' })
    }
    const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback)
    switch (url.pathname) {
      case '/page': {
        const size = q('per_page', 10)
        const page = q('page', 1)
        return sendJson(response, 200, { data: { items: ITEMS.slice((page - 1) * size, page * size) } })
      }
      case '/offset':
      case '/query-key':
      case '/open':
        return sendJson(response, 200, ITEMS.slice(q('offset', 0), q('offset', 0) + q('limit', 10)))
      case '/cursor': {
        const start = Number(url.searchParams.get('cursor') ?? 0)
        const next = start + 10 < ITEMS.length ? String(start + 10) : null
        return sendJson(response, 200, { records: ITEMS.slice(start, start + 10), meta: { next } })
      }
      case '/redirect-away':
        response.writeHead(302, { location: `${elsewhere.url}/` })
        return response.end()
      case '/redirect-127.0.0.2':
        response.writeHead(302, { location: `${second.url}/` })
        return response.end()
      default:
        return sendJson(response, 404, { error: 'no such path' })
    }
  })
  await setOutboundAllowlist(ctx, ['127.0.0.1'])
})
afterAll(async () => {
  await Promise.all([api?.close(), elsewhere?.close(), second?.close()])
  await ctx.close()
})

async function fetchAll(id: string, options: FetchOptions = {}): Promise<FetchedPage[]> {
  const source = await withContext(ctx.services.db, { orgId: org.id, userId: org.owner.userId }, (trx) => loadDataSourceForRun(trx, org.id, id, ctx.services.box))
  const pages: FetchedPage[] = []
  for await (const page of fetchFromSource(ctx.services, source, options)) {
    pages.push(page)
  }
  return pages
}

const ids = (pages: FetchedPage[]) => pages.flatMap((page) => page.records.map((record) => (record as { id: number }).id))
const all = ITEMS.map((item) => item.id)

describe('HTTP API sources', () => {
  it('pages by page number with a bearer token, and discovers a JSON schema on creation', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Paged',
      type: 'api',
      config: { url: `${api.url}/page`, auth: { type: 'bearer', token: 'tok-1' }, pagination: { type: 'page', param: 'page', sizeParam: 'per_page', size: 10, maxPages: 10 }, recordsPath: 'data.items' },
    })
    expect(source).toMatchObject({ healthStatus: 'healthy', lastHealthError: null })
    expect(source.schemaMetadata).toMatchObject({
      kind: 'json',
      sampleSize: 10,
      schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, price: { type: 'number' }, at: { type: 'string', format: 'date-time' }, tags: { type: 'array', items: { type: 'string' } } } },
    })
    const pages = await fetchAll(source.id)
    expect(pages.map((page) => page.records.length)).toEqual([10, 10, 5])
    expect(ids(pages)).toEqual(all)
    const first = pages[0]!
    expect(first).toMatchObject({ name: 'page 1', url: `${api.url}/page?page=1&per_page=10`, status: 200, contentType: 'application/json' })
    expect(first.requestHeaders.authorization).toBe('[redacted]')
    const body = Buffer.from(JSON.stringify({ data: { items: ITEMS.slice(0, 10) } }))
    expect(first.sizeBytes).toBe(body.length)
    expect(first.sha256).toBe(createHash('sha256').update(body).digest('hex'))
    expect(first.responseHeaders['content-type']).toBe('application/json')
  })

  it('pages by offset with basic auth and stops at maxRecords', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Offset',
      type: 'api',
      config: { url: `${api.url}/offset`, auth: { type: 'basic', username: 'ana', password: 's3cret' }, pagination: { type: 'offset', param: 'offset', limitParam: 'limit', limit: 10, maxPages: 10 } },
    })
    expect(source.healthStatus).toBe('healthy')
    expect(ids(await fetchAll(source.id))).toEqual(all)
    const capped = await fetchAll(source.id, { maxRecords: 15 })
    expect(capped.map((page) => page.records.length)).toEqual([10, 5])
  })

  it('follows a cursor with an API key header, and redacts the key', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Cursor',
      type: 'api',
      config: { url: `${api.url}/cursor`, auth: { type: 'apiKey', in: 'header', name: 'X-Api-Key', value: 'k-123' }, pagination: { type: 'cursor', param: 'cursor', cursorPath: 'meta.next', maxPages: 10 }, recordsPath: 'records' },
    })
    const pages = await fetchAll(source.id)
    expect(ids(pages)).toEqual(all)
    expect(pages.map((page) => page.url)).toEqual([`${api.url}/cursor`, `${api.url}/cursor?cursor=10`, `${api.url}/cursor?cursor=20`])
    expect(pages[0]!.requestHeaders['x-api-key']).toBe('[redacted]')
  })

  it('sends an API key in the query and redacts it from the recorded URL', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Query key',
      type: 'api',
      config: { url: `${api.url}/query-key`, auth: { type: 'apiKey', in: 'query', name: 'api_key', value: 'q-456' }, pagination: { type: 'offset', param: 'offset', limitParam: 'limit', limit: 10, maxPages: 2 } },
    })
    const pages = await fetchAll(source.id)
    expect(ids(pages)).toEqual(all.slice(0, 20)) // maxPages
    expect(pages[0]!.url).toBe(`${api.url}/query-key?offset=0&limit=10&api_key=%5Bredacted%5D`)
    expect(JSON.stringify(pages)).not.toContain('q-456')
  })

  it('reports wrong credentials exactly', async () => {
    const source = await createDataSource(ctx.app, org, {
      name: 'Wrong token',
      type: 'api',
      config: { url: `${api.url}/page`, auth: { type: 'bearer', token: 'wrong' }, recordsPath: 'data.items' },
    })
    expect(source.healthStatus).toBe('unhealthy')
    const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
    expect(tested.json()).toMatchObject({ ok: false, error: `127.0.0.1:${api.port} answered HTTP 401 Unauthorized: {"error":"bad credentials"}` })
    const discover = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/discover`), headers: org.owner.headers })
    expect(discover.statusCode).toBe(400)
    expect(discover.json().error.code).toBe('outbound_failed')
  })
})

describe('HTTP API sources and the outbound policy', () => {
  it('refuses a loopback API when it is not allowlisted, and sends it nothing', async () => {
    await setOutboundAllowlist(ctx, [])
    try {
      const before = api.requests.length
      const source = await createDataSource(ctx.app, org, { name: 'Blocked', type: 'api', config: { url: `${api.url}/offset` } })
      expect(source.healthStatus).toBe('unhealthy')
      expect(source.lastHealthError).toBe('127.0.0.1 is a loopback address; an administrator can allow it in Settings → security.outbound_allowlist')
      const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
      expect(tested.json()).toMatchObject({ ok: false, error: source.lastHealthError })
      await expect(fetchAll(source.id)).rejects.toMatchObject({ code: 'outbound_blocked' })
      expect(api.requests.length).toBe(before)
    } finally {
      await setOutboundAllowlist(ctx, ['127.0.0.1'])
    }
  })

  it('lets an instance administrator allow a host through Settings → security.outbound_allowlist', async () => {
    const admin = await setupAdmin(ctx.app)
    const setAllowlist = (value: unknown) =>
      ctx.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings/security.outbound_allowlist', headers: admin.headers, payload: { value, reason: 'test' } })
    try {
      expect((await setAllowlist([])).statusCode).toBe(200)
      const source = await createDataSource(ctx.app, org, { name: 'Via settings', type: 'api', config: { url: `${api.url}/open` } })
      expect(source.healthStatus).toBe('unhealthy')
      const allowed = await setAllowlist([`127.0.0.1:${api.port}`])
      expect(allowed.json()).toMatchObject({ key: 'security.outbound_allowlist', value: [`127.0.0.1:${api.port}`] })
      const tested = await ctx.app.inject({ method: 'POST', url: dataSourcesUrl(org, `/${source.id}/test`), headers: org.owner.headers })
      expect(tested.json()).toMatchObject({ ok: true, details: { status: 200, records: 10 } })
      expect((await setAllowlist('not an array')).statusCode).toBe(400)
    } finally {
      await setOutboundAllowlist(ctx, ['127.0.0.1'])
    }
  })

  it('checks redirect hops: 127.0.0.2 is refused at the hop', async () => {
    const source = await createDataSource(ctx.app, org, { name: 'Hop', type: 'api', config: { url: `${api.url}/redirect-127.0.0.2` } })
    expect(source.lastHealthError).toBe('127.0.0.2 is a loopback address; an administrator can allow it in Settings → security.outbound_allowlist')
    expect(second.requests).toHaveLength(0)
  })

  it('does not forward the Authorization header to another origin', async () => {
    await setOutboundAllowlist(ctx, ['127.0.0.1'])
    const source = await createDataSource(ctx.app, org, {
      name: 'Away',
      type: 'api',
      config: { url: `${api.url}/redirect-away`, auth: { type: 'bearer', token: 'tok-1' } },
    })
    expect(source.healthStatus).toBe('healthy')
    expect(elsewhere.requests.length).toBeGreaterThan(0)
    for (const request of elsewhere.requests) {
      expect(request.headers.authorization).toBeUndefined()
    }
  })
})
