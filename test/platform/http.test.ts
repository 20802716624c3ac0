import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestContext } from '../app.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

describe('GET /api/health', () => {
  it('answers 503 without a live worker and 200 once a worker heartbeat is present', async () => {
    await ctx.admin.query('delete from ops.worker_heartbeats')
    const degraded = await ctx.app.inject({ method: 'GET', url: '/api/health' })
    expect(degraded.statusCode).toBe(503)
    expect(degraded.json()).toMatchObject({ status: 'degraded', database: { reachable: true }, worker: { alive: false } })

    await ctx.admin.query("insert into ops.worker_heartbeats (worker_id, hostname, pid, started_at, last_seen_at) values ('health-test', 'test', 1, now(), now())")
    try {
      const healthy = await ctx.app.inject({ method: 'GET', url: '/api/health' })
      expect(healthy.statusCode).toBe(200)
      expect(healthy.json()).toMatchObject({ status: 'ok', database: { reachable: true }, migrations: { pending: [] }, worker: { alive: true, workers: 1 } })
    } finally {
      await ctx.admin.query("delete from ops.worker_heartbeats where worker_id = 'health-test'")
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(503)
  })
})

describe('GET /metrics', () => {
  it('serves Prometheus text with HTTP and database pool figures', async () => {
    await ctx.app.inject({ method: 'GET', url: '/api/health' })
    const response = await ctx.app.inject({ method: 'GET', url: '/metrics' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.body).toContain('# TYPE tessera_http_requests_total counter')
    expect(response.body).toMatch(/tessera_http_requests_total\{method="GET",route="\/api\/health",status="\d{3}"\} \d+/)
    expect(response.body).toMatch(/tessera_db_pool_connections\{state="total"\} \d+/)
  })
})

describe('OpenAPI', () => {
  const REQUIRED_PATHS = [
    '/api/v1/auth/login',
    '/api/v1/orgs',
    '/api/v1/orgs/{orgId}/members',
    '/api/v1/orgs/{orgId}/api-keys',
    '/api/v1/settings/public',
    '/api/v1/admin/settings',
    '/api/v1/admin/settings/{key}',
    '/api/v1/admin/users',
    '/api/v1/admin/users/{userId}',
    '/api/v1/admin/mail-outbox',
    '/api/v1/admin/audit',
    '/api/v1/orgs/{orgId}/audit',
  ]

  it('serves a valid OpenAPI 3 document describing the API', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json() as {
      openapi: string
      info: { title: string; version: string }
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; parameters?: Array<{ in: string; name: string }> }>>
      components?: { schemas?: Record<string, unknown> }
    }
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info.title).toBeTruthy()
    expect(doc.info.version).toBeTruthy()
    for (const path of REQUIRED_PATHS) {
      expect(Object.keys(doc.paths), path).toContain(path)
    }
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path.startsWith('/'), path).toBe(true)
      for (const [method, operation] of Object.entries(operations)) {
        expect(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'parameters'], `${method} ${path}`).toContain(method)
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(0)
        // Every {param} of the path template is declared as a path parameter.
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          expect(operation.parameters?.some((p) => p.in === 'path' && p.name === name), `${method} ${path} declares ${name}`).toBe(true)
        }
      }
    }
    // Every local $ref points at something that exists.
    for (const [, ref] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components?.schemas?.[ref!], ref).toBeDefined()
    }
  })

  it('serves the API docs as HTML', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/docs/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/html')
    expect(response.body).toContain('swagger')
  })
})

describe('HTTP conventions', () => {
  it.each([
    ['GET', '/api/health'],
    ['GET', '/metrics'],
    ['GET', '/api/openapi.json'],
    ['GET', '/api/docs/'],
    ['GET', '/api/v1/admin/settings'],
    ['GET', '/api/v1/no-such-route'],
  ])('sends CSP and X-Frame-Options on %s %s', async (method, url) => {
    const response = await ctx.app.inject({ method: method as 'GET', url })
    // The docs page brings its own policy (frame-ancestors 'self'); every other response gets the app's.
    expect(response.headers['content-security-policy']).toMatch(url.startsWith('/api/docs') ? /frame-ancestors 'self'/ : /frame-ancestors 'none'/)
    expect(response.headers['x-frame-options']).toBe('DENY')
  })

  it('answers an unknown API route with a JSON 404', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-route?x=1' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /api/v1/no-such-route' } })
  })

  it('answers a body that is not JSON with 400 invalid_json', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('invalid_json')
  })

  it('answers a schema violation with 400 validation_failed and the failing field', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'someone@example.com' } })
    expect(response.statusCode).toBe(400)
    const error = response.json().error
    expect(error.code).toBe('validation_failed')
    expect(error.details).toEqual([expect.objectContaining({ field: 'body.password' })])
  })
})

describe('error mapping', () => {
  it('answers a deadlock or serialization failure with 503 retry_later and Retry-After, not 500', async () => {
    const { default: Fastify } = await import('fastify')
    const { registerErrorHandling } = await import('../../src/platform/http.ts')
    const app = Fastify()
    registerErrorHandling(app)
    // A real deadlock from PostgreSQL: two transactions locking two rows in opposite orders.
    app.get('/deadlock', async () => {
      const pg = (await import('pg')).default
      const [a, b] = [new pg.Client({ connectionString: ctx.testDb.adminUrl }), new pg.Client({ connectionString: ctx.testDb.adminUrl })]
      await Promise.all([a.connect(), b.connect()])
      try {
        await a.query('drop table if exists public.deadlock_probe; create table public.deadlock_probe (id int primary key); insert into public.deadlock_probe values (1), (2)')
        await Promise.all([a.query('begin'), b.query('begin')])
        await a.query('update public.deadlock_probe set id = id where id = 1')
        await b.query('update public.deadlock_probe set id = id where id = 2')
        const results = await Promise.allSettled([
          a.query('update public.deadlock_probe set id = id where id = 2'),
          b.query('update public.deadlock_probe set id = id where id = 1'),
        ])
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
        throw failed?.reason ?? new Error('no deadlock happened')
      } finally {
        await Promise.all([a.query('rollback').catch(() => undefined), b.query('rollback').catch(() => undefined)])
        await a.query('drop table if exists public.deadlock_probe')
        await Promise.all([a.end(), b.end()])
      }
    })
    const response = await app.inject({ method: 'GET', url: '/deadlock' })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('1')
    expect(response.json()).toMatchObject({ error: { code: 'retry_later' } })
    await app.close()
  })
})
