import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { PASSWORD, registerUser } from '../../../test/app.ts'
import { createOrg } from '../../../test/tenancy.ts'
import { REDACTED } from './request-logs.redact.ts'
import { droppedCount, loggedRequests, loggingApp, waitFor, writtenCount, type LoggingApp } from './request-logs.fixtures.ts'

/** The request log on real PostgreSQL: what an entry holds, when it is written, and what happens when it can't be. */

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN_ID = '00f067aa0ba902b7'

let ctx: LoggingApp | undefined
afterEach(async () => {
  await ctx?.close()
  ctx = undefined
})

const rid = (label: string) => `${label}-${randomUUID()}`

describe('request logging', () => {
  it('writes a request within the flush interval, with Authorization, cookies, passwords and tokens redacted', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 200 })
    const { app, admin } = ctx
    const owner = await registerUser(app)
    const org = await createOrg(app, owner)

    const loginId = rid('login')
    const login = await app.inject({
      method: 'POST', url: '/api/v1/auth/login', headers: { 'x-request-id': loginId, 'user-agent': 'tessera-cli/1.4.2 (linux)' },
      payload: { email: owner.email, password: PASSWORD },
    })
    expect(login.statusCode).toBe(200)
    const keyId = rid('key')
    const refused = await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/api-keys`,
      headers: { ...owner.headers, 'x-request-id': keyId, 'x-api-key': 'tsk_leaked' },
      payload: { name: 'ci key', scopes: ['read'], secret: 'do-not-keep', nested: { accessToken: 'abc', refresh_token: 'def', kept: 1 } },
    })
    const orgReadId = rid('org')
    const sent = Date.now()
    const read = await app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.id}?token=s3cr3t-query&note=kept`,
      headers: { ...owner.headers, 'x-request-id': orgReadId, traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, 'x-request-start': `t=${sent - 40}` },
    })
    const bearerId = rid('bearer')
    await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer tsk_not_a_real_key', 'x-request-id': bearerId } })

    const ids = [loginId, keyId, orgReadId, bearerId]
    const waited = await waitFor(async () => (await loggedRequests(admin, ids)).length === 4, 3000, 'four logged requests')
    // One flush interval (200 ms) and the time a batch takes, not the 5 s default.
    expect(waited).toBeLessThan(2500)
    const rows = await loggedRequests(admin, ids)
    const byId = Object.fromEntries(rows.map((row) => [row.request_id, row]))

    const loginRow = byId[loginId]!
    expect(loginRow).toMatchObject({ method: 'POST', route: '/api/v1/auth/login', path: '/api/v1/auth/login', response_status_code: 200, success: true, client_version: '1.4.2' })
    expect(loginRow.request_body).toEqual({ email: owner.email, password: REDACTED })
    // The session cookie the login set does not reach the log either.
    expect(JSON.stringify(loginRow.response_headers)).not.toMatch(/tessera[^"]*=/)
    expect(loginRow.response_headers['set-cookie']).toBe(REDACTED)

    // Refused by validation, before any membership check: no organization, the body kept, its secrets not.
    expect(refused.statusCode).toBe(400)
    expect(byId[keyId]!).toMatchObject({
      route: '/api/v1/orgs/:orgId/api-keys', response_status_code: 400, success: false, error_type: 'validation_failed', user_id: owner.userId, organization_id: null,
    })
    expect(byId[keyId]!.request_body).toEqual({ name: 'ci key', scopes: ['read'], secret: REDACTED, nested: { accessToken: REDACTED, refresh_token: REDACTED, kept: 1 } })
    expect(byId[keyId]!.request_headers).toMatchObject({ cookie: REDACTED, 'x-csrf-token': REDACTED, 'x-api-key': REDACTED })

    const orgRow = byId[orgReadId]!
    expect(read.statusCode).toBe(200)
    expect(orgRow).toMatchObject({
      method: 'GET',
      route: '/api/v1/orgs/:orgId',
      path: `/api/v1/orgs/${org.id}`,
      response_status_code: 200,
      success: true,
      error_type: null,
      user_id: owner.userId,
      organization_id: org.id,
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      correlation_id: TRACE_ID,
      request_body: null,
    })
    expect(orgRow.session_id).toEqual(expect.any(String))
    expect(orgRow.query_params).toEqual({ token: REDACTED, note: 'kept' })
    expect(orgRow.request_headers).toMatchObject({ cookie: REDACTED, 'x-csrf-token': REDACTED, traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })
    expect(orgRow.response_size_bytes).toBe(Buffer.byteLength(read.body))
    expect(orgRow.duration_ms).toBeGreaterThanOrEqual(0)
    // X-Request-Start said a proxy held the request for 40 ms before Tessera saw it.
    expect(orgRow.queue_time_ms).toBeGreaterThanOrEqual(35)
    expect(orgRow.processing_time_ms).toBeGreaterThanOrEqual(0)
    expect(Math.abs(new Date(orgRow.timestamp).getTime() - sent)).toBeLessThan(2000)
    for (const secret of ['s3cr3t-query', 'tsk_leaked', 'do-not-keep', owner.csrf, owner.cookie.split('=')[1], PASSWORD, 'tsk_not_a_real_key']) {
      expect(JSON.stringify(rows)).not.toContain(secret)
    }

    const bearerRow = byId[bearerId]!
    expect(bearerRow).toMatchObject({ response_status_code: 401, success: false, error_type: 'unauthenticated', user_id: null, organization_id: null })
    expect(bearerRow.request_headers.authorization).toBe(REDACTED)
    expect(bearerRow.response_data).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } })
  })

  it('cuts bodies to analytics.request_body_max_bytes and leaves health checks out', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 100, 'analytics.request_body_max_bytes': 200 })
    const { app, admin } = ctx
    const bigId = rid('big')
    const records = Array.from({ length: 5000 }, (_, i) => ({ n: i, text: 'x'.repeat(50) }))
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-request-id': bigId }, payload: { email: 'nobody@example.com', password: 'x', records } })
    const healthId = rid('health')
    await app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': healthId } })
    const missingId = rid('missing')
    await app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: { 'x-request-id': missingId } })

    await waitFor(async () => (await loggedRequests(admin, [bigId, missingId])).length === 2, 3000, 'the logged requests')
    const [big] = await loggedRequests(admin, [bigId])
    const stored = JSON.stringify(big!.request_body)
    expect(stored.length).toBeLessThan(600)
    expect(big!.request_body).toMatchObject({ email: 'nobody@example.com', password: REDACTED })
    expect(stored).toContain('truncated')
    const [missing] = await loggedRequests(admin, [missingId])
    expect(missing).toMatchObject({ response_status_code: 404, success: false, error_type: 'route_not_found' })
    // No route, or the SPA's catch-all when the web build is there: never the raw path.
    expect([null, '/*']).toContain(missing!.route)
    expect(await loggedRequests(admin, [healthId])).toEqual([])
  })

  it('writes a batch as soon as analytics.batch_size entries wait, without waiting for the interval', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 600000, 'analytics.batch_size': 5 })
    const { app, admin } = ctx
    await app.requestLogs!.flush()
    const ids = Array.from({ length: 5 }, () => rid('batch'))
    for (const id of ids.slice(0, 4)) {
      await app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': id } })
    }
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await loggedRequests(admin, ids)).toEqual([])
    expect(app.requestLogs!.pending).toBe(4)

    await app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': ids[4]! } })

    await waitFor(async () => (await loggedRequests(admin, ids)).length === 5, 2000, 'the batch of five')
    expect(app.requestLogs!.pending).toBe(0)
  })

  it('flushes every pending entry when the app closes right after the requests', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 600000, 'analytics.batch_size': 10000 })
    const { app, admin } = ctx
    const ids = Array.from({ length: 40 }, () => rid('shutdown'))
    const responses = await Promise.all(ids.map((id) => app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': id } })))
    expect(responses.every((r) => r.statusCode === 401)).toBe(true)
    expect(await loggedRequests(admin, ids)).toEqual([])

    await app.close()

    expect((await loggedRequests(admin, ids)).map((row) => row.request_id).sort()).toEqual([...ids].sort())
  })

  it('writes nothing while analytics.enabled is false', async () => {
    ctx = await loggingApp({ 'analytics.enabled': false, 'analytics.flush_interval_ms': 100 })
    const { app, admin } = ctx
    const ids = Array.from({ length: 5 }, () => rid('off'))
    for (const id of ids) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': id } })).statusCode).toBe(401)
    }
    expect(app.requestLogs!.pending).toBe(0)
    await app.close()
    expect(await loggedRequests(admin, ids)).toEqual([])
    const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from telemetry.request_logs')
    expect(rows[0]!.n).toBe(0)
  })
})

describe('request logging during a database outage of the writer', () => {
  it('answers every request at once while the writer is refused, counts what overflows, and writes the rest once the database takes it again', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 100, 'analytics.batch_size': 5, 'analytics.request_log_buffer_max': 100 })
    const { app, admin, testDb } = ctx
    // The outage: the writer's grant is gone (in this test database only) and its connection is cut.
    await admin.query('revoke insert on telemetry.request_logs from tessera_log_writer')
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where usename = 'tessera_log_writer' and datname = $1", [testDb.name])
    const droppedBefore = await droppedCount('buffer_full')

    const ids = Array.from({ length: 160 }, () => rid('outage'))
    const slowest = { ms: 0 }
    for (const id of ids) {
      const started = performance.now()
      const response = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': id } })
      slowest.ms = Math.max(slowest.ms, performance.now() - started)
      expect(response.statusCode).toBe(401)
    }
    // Requests never wait for the log (a wait for a refused insert or a connect would show here).
    expect(slowest.ms).toBeLessThan(1000)
    await waitFor(async () => (await droppedCount('buffer_full')) - droppedBefore >= 60, 3000, 'the overflow to be counted')
    expect(app.requestLogs!.pending).toBeLessThanOrEqual(100)
    expect(await loggedRequests(admin, ids)).toEqual([])
    const metrics = await app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.body).toMatch(/^tessera_request_logs_dropped_total\{reason="buffer_full"\} [1-9]\d*$/m)
    expect(metrics.body).toMatch(/^tessera_request_logs_written_total \d+$/m)

    const writtenBefore = await writtenCount()
    await admin.query('grant insert on telemetry.request_logs to tessera_log_writer')
    // Backoff grows from 250 ms; the writer comes back within a few of its attempts.
    await waitFor(async () => (await loggedRequests(admin, ids)).length > 0 && app.requestLogs!.pending === 0, 10000, 'the retried entries')
    await app.requestLogs!.flush()
    const logged = await loggedRequests(admin, ids)
    expect(logged.length).toBeGreaterThanOrEqual(90)
    // The newest entries were kept, the oldest dropped.
    expect(logged.map((row) => row.request_id)).toContain(ids[ids.length - 1])
    expect(logged.map((row) => row.request_id)).not.toContain(ids[0])
    expect(await writtenCount()).toBeGreaterThanOrEqual(writtenBefore + logged.length)
  })

  it('answers requests when the writer points at a closed port, and counts what it could not write at shutdown', async () => {
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 100 }, { DATABASE_LOG_WRITER_URL: 'postgres://tessera_log_writer:x@127.0.0.1:1/tessera' })
    const { app } = ctx
    const droppedBefore = await droppedCount('shutdown')
    for (let i = 0; i < 10; i++) {
      const started = performance.now()
      const response = await app.inject({ method: 'GET', url: '/api/v1/me' })
      expect(response.statusCode).toBe(401)
      expect(performance.now() - started).toBeLessThan(1000)
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(app.requestLogs!.pending).toBe(10)

    await app.close()

    expect((await droppedCount('shutdown')) - droppedBefore).toBe(10)
  })

  it("answers at once while the writer's database takes the connection and never replies", async () => {
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as net.AddressInfo).port
    ctx = await loggingApp({ 'analytics.flush_interval_ms': 100, 'analytics.batch_size': 1 }, { DATABASE_LOG_WRITER_URL: `postgres://tessera_log_writer:x@127.0.0.1:${port}/tessera` })
    const { app } = ctx
    for (let i = 0; i < 20; i++) {
      const started = performance.now()
      expect((await app.inject({ method: 'GET', url: '/api/v1/me' })).statusCode).toBe(401)
      expect(performance.now() - started).toBeLessThan(1000)
    }
    // The writer is stuck in its connection attempt the whole time.
    await waitFor(async () => sockets.size > 0, 2000, 'the writer to connect')
    expect(app.requestLogs!.pending).toBeGreaterThanOrEqual(19)

    // Then that server goes away too: shutdown does not wait for it and counts all twenty.
    const droppedBefore = await droppedCount('shutdown')
    for (const socket of sockets) {
      socket.destroy()
    }
    await new Promise((resolve) => silent.close(resolve))
    const closing = performance.now()
    await app.close()
    expect(performance.now() - closing).toBeLessThan(5000)
    expect((await droppedCount('shutdown')) - droppedBefore).toBe(20)
  })
})
