import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, login, registerUser, setupAdmin, uniqueEmail, type Session, type TestContext } from '../../../test/app.ts'

let ctx: TestContext
let admin: Session
let user: Session

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  user = await registerUser(ctx.app, { name: 'Plain User' })
})
afterAll(async () => {
  await ctx.close()
})

interface UserListBody {
  users: Array<{ id: string; email: string; status: string; isInstanceAdmin: boolean; activeSessions: number }>
  total: number
  limit: number
  offset: number
}

function listUsers(session: Session, query = '') {
  return ctx.app.inject({ method: 'GET', url: `/api/v1/admin/users${query}`, headers: { cookie: session.cookie } })
}

function setStatus(session: Session, userId: string, status: string) {
  return ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${userId}`, headers: session.headers, payload: { status } })
}

describe('GET /api/v1/admin/users', () => {
  it('lists every user with the admin flag and session count', async () => {
    const response = await listUsers(admin)
    expect(response.statusCode).toBe(200)
    const body = response.json() as UserListBody
    const { rows } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from auth.users')
    expect(body.total).toBe(rows[0]!.n)
    expect(body.users.find((u) => u.id === admin.userId)).toMatchObject({ isInstanceAdmin: true, status: 'active' })
    expect(body.users.find((u) => u.id === user.userId)).toMatchObject({ email: user.email, isInstanceAdmin: false, activeSessions: 1 })
    expect(JSON.stringify(body)).not.toContain('argon2')
  })

  it('filters by a search term and by status, and pages with limit and offset', async () => {
    const marker = `zq${Date.now()}`
    const emails = [uniqueEmail(`${marker}-a`), uniqueEmail(`${marker}-b`), uniqueEmail(`${marker}-c`)]
    for (const email of emails) {
      await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, name: 'Searchable' } })
    }
    const found = (await listUsers(admin, `?query=${marker}`)).json() as UserListBody
    expect(found.total).toBe(3)
    expect(found.users.map((u) => u.email).sort()).toEqual([...emails].sort())
    const page = (await listUsers(admin, `?query=${marker}&limit=2&offset=2`)).json() as UserListBody
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 2 })
    expect(page.users).toHaveLength(1)
    expect((await listUsers(admin, '?query=100%25')).json().total).toBe(0)
    await ctx.admin.query("update auth.users set status = 'suspended' where email = $1", [emails[1]])
    const suspended = (await listUsers(admin, `?query=${marker}&status=suspended`)).json() as UserListBody
    expect(suspended.users.map((u) => [u.email, u.status])).toEqual([[emails[1], 'suspended']])
    expect((await listUsers(admin, `?query=${marker}&status=active`)).json().total).toBe(2)
  })

  it('answers 403 to a user who is not an administrator and 401 to anonymous callers', async () => {
    expect((await listUsers(user)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/users' })).statusCode).toBe(401)
  })
})

describe('PATCH /api/v1/admin/users/{userId}', () => {
  it('suspends a user, ends all their sessions at once and records a security event', async () => {
    const target = await registerUser(ctx.app)
    const second = await login(ctx.app, target.email)
    const response = await setStatus(admin, target.userId, 'suspended')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ id: target.userId, status: 'suspended', activeSessions: 0 })

    const sessions = await ctx.admin.query('select is_active, invalidated_reason from auth.sessions where user_id = $1', [target.userId])
    expect(sessions.rows).toHaveLength(2)
    expect(sessions.rows.every((row) => row.is_active === false && row.invalidated_reason === 'user_suspended')).toBe(true)
    for (const session of [target, second]) {
      const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/public', headers: { cookie: session.cookie } })
      expect(me.statusCode).toBe(401)
    }
    const relogin = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: target.email, password: PASSWORD } })
    expect(relogin.statusCode).not.toBe(200)

    const events = await ctx.admin.query<{ severity: string; event_details: { suspendedBy: string; sessionsRevoked: number } }>(
      "select severity, event_details from audit.audit_log where event_type = 'user_suspended' and user_id = $1",
      [target.userId],
    )
    expect(events.rows).toEqual([{ severity: 'high', event_details: { suspendedBy: admin.userId, sessionsRevoked: 2 } }])
  })

  it('reactivates a suspended user, who can sign in again', async () => {
    const target = await registerUser(ctx.app)
    expect((await setStatus(admin, target.userId, 'suspended')).statusCode).toBe(200)
    const response = await setStatus(admin, target.userId, 'active')
    expect(response.statusCode).toBe(200)
    expect(response.json().status).toBe('active')
    await login(ctx.app, target.email)
  })

  it('refuses to let an administrator suspend themselves', async () => {
    const response = await setStatus(admin, admin.userId, 'suspended')
    expect(response.statusCode).toBe(403)
    const { rows } = await ctx.admin.query('select status from auth.users where id = $1', [admin.userId])
    expect(rows[0].status).toBe('active')
  })

  it('answers 404 for an unknown user and 400 for an invalid status', async () => {
    expect((await setStatus(admin, '00000000-0000-4000-8000-000000000000', 'suspended')).statusCode).toBe(404)
    const invalid = await setStatus(admin, user.userId, 'deleted')
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().error.code).toBe('validation_failed')
  })

  it('refuses a user who is not an administrator and changes nothing', async () => {
    const target = await registerUser(ctx.app)
    expect((await setStatus(user, target.userId, 'suspended')).statusCode).toBe(403)
    const { rows } = await ctx.admin.query('select status from auth.users where id = $1', [target.userId])
    expect(rows[0].status).toBe('active')
    const sessions = await ctx.admin.query('select count(*)::int as n from auth.sessions where user_id = $1 and is_active', [target.userId])
    expect(sessions.rows[0].n).toBe(1)
  })
})

describe('GET /api/v1/admin/mail-outbox', () => {
  it('shows queued mail to an administrator, newest first', async () => {
    const to = uniqueEmail('outbox')
    await ctx.services.mailer.enqueue(ctx.services.db, { to, subject: 'Outbox subject', text: 'Outbox body', template: 'test_template' })
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/mail-outbox?limit=5', headers: { cookie: admin.cookie } })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.limit).toBe(5)
    expect(body.messages[0]).toMatchObject({ to, subject: 'Outbox subject', bodyText: 'Outbox body', template: 'test_template', status: 'pending', sentAt: null, lastError: null })
    expect(body.total).toBeGreaterThanOrEqual(1)
  })

  it('answers 403 to a user who is not an administrator', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/mail-outbox', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(403)
  })

  it('is hidden when mail.outbox_visible is false', async () => {
    const off = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings/mail.outbox_visible', headers: admin.headers, payload: { value: false } })
    expect(off.statusCode).toBe(200)
    try {
      const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/mail-outbox', headers: { cookie: admin.cookie } })
      expect(response.statusCode).toBe(403)
      expect(response.json().error.message).toContain('mail.outbox_visible')
    } finally {
      await ctx.app.inject({ method: 'PATCH', url: '/api/v1/admin/settings/mail.outbox_visible', headers: admin.headers, payload: { value: true } })
    }
  })
})
