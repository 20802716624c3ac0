import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, login, registerUser, type TestContext, cookieOf } from '../../../test/app.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

function attempt(email: string, password: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
}

function me(cookie: string) {
  return ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })
}

/**
 * /me's status once a change made behind the server's back (a direct UPDATE) has reached it:
 * sessions are reused for a few seconds and the server hears of such a change through NOTIFY
 * (platform/auth-cache.ts), a moment after it commits. Asks for at most about two seconds.
 */
async function meAfterNotify(cookie: string, expected: number): Promise<number> {
  let status = 0
  for (let i = 0; i < 40; i++) {
    status = (await me(cookie)).statusCode
    if (status === expected) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return status
}

describe('account lockout', () => {
  it('locks after auth.max_login_attempts failures, refuses the right password while locked, and accepts it after', async () => {
    await ctx.admin.query(`update app.system_settings set setting_value = '3' where setting_key = 'auth.max_login_attempts'`)
    try {
      const user = await registerUser(ctx.app)
      for (let i = 0; i < 3; i++) {
        expect((await attempt(user.email, 'wrong password!')).statusCode).toBe(401)
      }
      const { rows } = await ctx.admin.query(`select locked_until > now() as locked from auth.users where id = $1`, [user.userId])
      expect(rows[0].locked).toBe(true)
      const whileLocked = await attempt(user.email, PASSWORD)
      expect(whileLocked.statusCode).toBe(401)
      // Indistinguishable from a wrong password: the answer does not confirm the account exists.
      expect(whileLocked.json().error.code).toBe('invalid_credentials')

      await ctx.admin.query(`update auth.users set locked_until = now() - interval '1 second' where id = $1`, [user.userId])
      const after = await attempt(user.email, PASSWORD)
      expect(after.statusCode).toBe(200)
      const reset = await ctx.admin.query('select failed_login_attempts, locked_until from auth.users where id = $1', [user.userId])
      expect(reset.rows[0]).toEqual({ failed_login_attempts: 0, locked_until: null })
      const events = await ctx.admin.query(`select 1 from audit.audit_log where user_id = $1 and event_type = 'account_locked'`, [user.userId])
      expect(events.rowCount).toBe(1)
    } finally {
      await ctx.admin.query(`update app.system_settings set setting_value = '5' where setting_key = 'auth.max_login_attempts'`)
    }
  })

  it('does not lock before the limit', async () => {
    const user = await registerUser(ctx.app)
    for (let i = 0; i < 4; i++) {
      await attempt(user.email, 'wrong password!')
    }
    expect((await attempt(user.email, PASSWORD)).statusCode).toBe(200)
  })
})

describe('session lifetime', () => {
  it('issues a new session on every sign-in, even when the client sends an old cookie', async () => {
    const user = await registerUser(ctx.app)
    const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { cookie: user.cookie, 'x-requested-with': 'XMLHttpRequest' }, payload: { email: user.email, password: PASSWORD } })
    expect(again.statusCode).toBe(200)
    const fresh = cookieOf(again)
    expect(fresh).not.toBe(user.cookie)
    const { rows } = await ctx.admin.query('select count(distinct id)::int as n from auth.sessions where user_id = $1 and is_active', [user.userId])
    expect(rows[0].n).toBe(2)
    expect((await me(fresh)).statusCode).toBe(200)
  })

  it('ends a session after the idle timeout', async () => {
    const user = await registerUser(ctx.app)
    expect((await me(user.cookie)).statusCode).toBe(200)
    await ctx.admin.query(`update auth.sessions set created_at = now() - interval '2 days', last_activity_at = now() - interval '25 hours', expires_at = now() - interval '1 second' where user_id = $1`, [user.userId])
    expect(await meAfterNotify(user.cookie, 401)).toBe(401)
  })

  it('slides the idle expiry on activity, but never past the absolute expiry', async () => {
    const user = await registerUser(ctx.app)
    await ctx.admin.query(`update auth.sessions set created_at = now() - interval '2 days', last_activity_at = now() - interval '2 hours', expires_at = now() + interval '1 minute' where user_id = $1`, [user.userId])
    expect((await me(user.cookie)).statusCode).toBe(200)
    const { rows } = await ctx.admin.query(`select expires_at > now() + interval '1 hour' as slid from auth.sessions where user_id = $1`, [user.userId])
    expect(rows[0].slid).toBe(true)

    await ctx.admin.query(`update auth.sessions set absolute_expires_at = now() - interval '1 second' where user_id = $1`, [user.userId])
    expect(await meAfterNotify(user.cookie, 401)).toBe(401)
  })
})

describe('CSRF', () => {
  const logout = (headers: Record<string, string>, payload?: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers, ...(payload !== undefined && { payload }) })

  it('refuses a cookie-authenticated POST without X-CSRF-Token or X-Requested-With', async () => {
    const user = await registerUser(ctx.app)
    const response = await logout({ cookie: user.cookie })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('csrf_failed')
    expect((await me(user.cookie)).statusCode).toBe(200)
  })

  it('refuses a wrong X-CSRF-Token', async () => {
    const user = await registerUser(ctx.app)
    const other = await registerUser(ctx.app)
    const response = await logout({ cookie: user.cookie, 'x-csrf-token': other.csrf })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('csrf_failed')
    expect((await me(user.cookie)).statusCode).toBe(200)
    // The right token is accepted, so the refusals above are about the token.
    expect((await logout(user.headers)).statusCode).toBe(204)
  })

  it('refuses a foreign Origin even with a valid token', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...user.headers, origin: 'https://evil.example' }, payload: { name: 'Mallory' } })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('csrf_failed')
    const { rows } = await ctx.admin.query('select display_name from auth.users where id = $1', [user.userId])
    expect(rows[0].display_name).not.toBe('Mallory')
    const sameOrigin = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...user.headers, origin: 'http://tessera.test' }, payload: { name: 'Alice' } })
    expect(sameOrigin.statusCode).toBe(200)
  })

  it('refuses a cross-site form post carrying the cookie', async () => {
    const user = await registerUser(ctx.app)
    const form = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `currentPassword=${encodeURIComponent(PASSWORD)}&newPassword=attacker-chosen-password`,
    })
    expect(form.statusCode).toBe(403)
    expect(form.json().error.code).toBe('csrf_failed')
    const crossSite = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: user.cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', 'x-requested-with': 'XMLHttpRequest' },
      payload: '',
    })
    expect(crossSite.statusCode).toBe(403)
    expect((await me(user.cookie)).statusCode).toBe(200)
    await login(ctx.app, user.email, PASSWORD)
  })

  it('changes nothing on GET', async () => {
    const user = await registerUser(ctx.app)
    const { rows } = await ctx.admin.query(`select body_text from app.mail_outbox where to_address = $1 and template = 'verify_email'`, [user.email])
    const token = /token=([\w-]+)/.exec(rows[0].body_text)?.[1]
    for (const url of ['/api/v1/auth/logout', `/api/v1/auth/email/verify?token=${token}`, '/api/v1/me/2fa/setup', '/api/v1/me/password']) {
      const response = await ctx.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } })
      expect(response.statusCode).toBe(404)
    }
    expect((await me(user.cookie)).statusCode).toBe(200)
    const state = await ctx.admin.query('select email_verified_at, two_factor_secret from auth.users where id = $1', [user.userId])
    expect(state.rows[0]).toEqual({ email_verified_at: null, two_factor_secret: null })
    // The token GET did not consume still works.
    const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/verify', payload: { token } })
    expect(verify.statusCode).toBe(200)
  })
})
