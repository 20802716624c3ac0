import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, login, registerUser, setupAdmin, type Session, type TestContext, cookieOf } from '../../../test/app.ts'
import { sha256 } from '../../platform/crypto.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

async function createOrganization(owner: Session, name: string): Promise<string> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`
  const { rows } = await ctx.admin.query<{ id: string }>('insert into app.organizations (name, slug, created_by) values ($1, $2, $3) returning id', [name, slug, owner.userId])
  const orgId = rows[0]!.id
  await ctx.admin.query(`insert into app.organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, 'owner', 'active', now())`, [orgId, owner.userId])
  return orgId
}

describe('GET /me', () => {
  it('returns the user, their organizations and the CSRF token of the session', async () => {
    const admin = await setupAdmin(ctx.app)
    const user = await registerUser(ctx.app, { name: 'Ada Lovelace' })
    const orgId = await createOrganization(user, 'Analytical Engines')
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })
    expect(me.statusCode).toBe(200)
    const body = me.json()
    expect(body.user).toMatchObject({ id: user.userId, email: user.email, name: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', isInstanceAdmin: false, twoFactorEnabled: false })
    expect(body.organizations).toEqual([{ id: orgId, name: 'Analytical Engines', slug: expect.any(String), role: 'owner', status: 'active', organizationStatus: 'active' }])
    expect(body.csrfToken).toBe(user.csrf)
    expect(body.preferences).toEqual({ ui: {}, notifications: {} })

    const adminMe = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: admin.cookie } })
    expect(adminMe.json().user.isInstanceAdmin).toBe(true)
    expect(adminMe.json().organizations).toEqual([])
  })

  it('answers 401 without credentials', async () => {
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me' })
    expect(me.statusCode).toBe(401)
    expect(me.json().error.code).toBe('unauthenticated')
  })

  it('returns the key\'s user and only the key\'s organization for an API key', async () => {
    const user = await registerUser(ctx.app)
    const keyOrg = await createOrganization(user, 'Key Org')
    await createOrganization(user, 'Other Org')
    const key = `tsk_${randomBytes(24).toString('base64url')}`
    await ctx.admin.query(`insert into auth.api_keys (organization_id, user_id, name, prefix, key_hash, scopes) values ($1, $2, 'ci', $3, $4, '{read}')`, [keyOrg, user.userId, key.slice(0, 12), sha256(key)])
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${key}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json().user.id).toBe(user.userId)
    expect(me.json().organizations.map((org: { id: string }) => org.id)).toEqual([keyOrg])
    expect(me.json().csrfToken).toBeNull()
    // Profile changes need a browser session.
    const patch = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { authorization: `Bearer ${key}` }, payload: { name: 'Key' } })
    expect(patch.statusCode).toBe(401)
  })
})

describe('PATCH /me', () => {
  it('updates the profile and preferences', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: user.headers,
      payload: { name: 'Grace Hopper', firstName: 'Grace', lastName: null, avatarUrl: 'https://cdn.example/g.png', timezone: 'Europe/Berlin', locale: 'de_DE', uiPreferences: { theme: 'dark' }, notificationPreferences: { weeklyDigest: false } },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().user).toMatchObject({ name: 'Grace Hopper', firstName: 'Grace', lastName: null, avatarUrl: 'https://cdn.example/g.png', timezone: 'Europe/Berlin', locale: 'de_DE' })
    expect(response.json().preferences).toEqual({ ui: { theme: 'dark' }, notifications: { weeklyDigest: false } })
    const { rows } = await ctx.admin.query('select display_name, timezone, ui_preferences from auth.users where id = $1', [user.userId])
    expect(rows[0]).toEqual({ display_name: 'Grace Hopper', timezone: 'Europe/Berlin', ui_preferences: { theme: 'dark' } })
  })

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ timezone: '+01:00' }, 'timezone'],
    [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    [{ avatarUrl: 'data:image/png;base64,AAAA' }, 'avatarUrl'],
    [{ name: '   ' }, 'name'],
    [{ locale: 'not a locale' }, 'locale'],
    [{ email: 'other@example.com' }, 'additional properties'],
  ])('rejects %j', async (payload, field) => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: user.headers, payload })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('validation_failed')
    expect(JSON.stringify(response.json().error.details)).toContain(field)
  })

  it('accepts UTC as a time zone', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: user.headers, payload: { timezone: 'UTC' } })
    expect(response.statusCode).toBe(200)
  })
})

describe('POST /me/password', () => {
  it('refuses a wrong current password, counts it toward the lockout and changes nothing', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: user.headers, payload: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({ code: 'wrong_password', details: [{ field: 'currentPassword' }] })
    const { rows } = await ctx.admin.query('select failed_login_attempts from auth.users where id = $1', [user.userId])
    expect(rows[0].failed_login_attempts).toBe(1)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).statusCode).toBe(200)
    await login(ctx.app, user.email, PASSWORD)
  })

  it('refuses to check the password while the account is locked', async () => {
    const user = await registerUser(ctx.app)
    await ctx.admin.query(`update auth.users set locked_until = now() + interval '10 minutes' where id = $1`, [user.userId])
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: user.headers, payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' } })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('account_locked')
  })

  it('applies the password policy to the new password', async () => {
    const user = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: user.headers, payload: { currentPassword: PASSWORD, newPassword: 'short' } })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({ code: 'weak_password', details: [{ field: 'newPassword' }] })
  })

  it('changes the password, ends every session and issues a fresh one for this client', async () => {
    const user = await registerUser(ctx.app)
    const other = await login(ctx.app, user.email)
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: user.headers, payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' } })
    expect(response.statusCode).toBe(200)
    const fresh = cookieOf(response)
    expect(fresh).not.toBe(user.cookie)
    for (const old of [user.cookie, other.cookie]) {
      const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: old } })
      expect(me.statusCode).toBe(401)
    }
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: fresh } })
    expect(me.statusCode).toBe(200)
    expect(me.json().csrfToken).toBe(response.json().csrfToken)
    await expect(login(ctx.app, user.email, PASSWORD)).rejects.toThrow(/401/)
    await login(ctx.app, user.email, 'a brand new passphrase')
    const events = await ctx.admin.query(`select 1 from audit.audit_log where user_id = $1 and event_type = 'password_changed'`, [user.userId])
    expect(events.rowCount).toBe(1)
  })
})

describe('sessions', () => {
  it('lists the user\'s active sessions and marks the current one', async () => {
    const user = await registerUser(ctx.app)
    const phone = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' },
      payload: { email: user.email, password: PASSWORD },
    })
    expect(phone.statusCode).toBe(200)
    const stranger = await registerUser(ctx.app)
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(200)
    const sessions = response.json().sessions as Array<Record<string, unknown>>
    expect(sessions).toHaveLength(2)
    expect(sessions.filter((s) => s.current)).toHaveLength(1)
    expect(sessions.find((s) => !s.current)).toMatchObject({ device: 'mobile', os: expect.stringContaining('iOS'), browser: expect.stringContaining('Safari'), loginMethod: 'password', mfaVerified: true, ipAddress: '127.0.0.1' })
    const { rows } = await ctx.admin.query('select id from auth.sessions where user_id = $1', [stranger.userId])
    expect(sessions.map((s) => s.id)).not.toContain(rows[0].id)
  })

  it('revokes one of the user\'s own sessions, and answers 404 for another user\'s', async () => {
    const user = await registerUser(ctx.app)
    const second = await login(ctx.app, user.email)
    const stranger = await registerUser(ctx.app)
    const ids = async (userId: string) => (await ctx.admin.query<{ id: string }>('select id from auth.sessions where user_id = $1 and is_active order by created_at', [userId])).rows.map((r) => r.id)
    const [, secondId] = await ids(user.userId)
    const [strangerId] = await ids(stranger.userId)

    const foreign = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${strangerId}`, headers: user.headers })
    expect(foreign.statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: stranger.cookie } })).statusCode).toBe(200)

    const own = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${secondId}`, headers: user.headers })
    expect(own.statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: second.cookie } })).statusCode).toBe(401)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).statusCode).toBe(200)

    const again = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/me/sessions/${secondId}`, headers: user.headers })
    expect(again.statusCode).toBe(404)
    const malformed = await ctx.app.inject({ method: 'DELETE', url: '/api/v1/me/sessions/not-a-uuid', headers: user.headers })
    expect(malformed.statusCode).toBe(400)
  })
})

describe('email verification', () => {
  async function latestToken(email: string): Promise<string> {
    const { rows } = await ctx.admin.query(`select body_text from app.mail_outbox where to_address = $1 and template = 'verify_email' order by created_at desc limit 1`, [email])
    const match = /verify-email\?token=([\w-]+)/.exec(rows[0]?.body_text ?? '')
    if (!match?.[1]) {
      throw new Error('no verification mail')
    }
    return match[1]
  }

  it('resends the link and verifies the address with it once', async () => {
    const user = await registerUser(ctx.app)
    const first = await latestToken(user.email)
    const resend = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/email/verification', headers: user.headers })
    expect(resend.statusCode).toBe(202)
    const second = await latestToken(user.email)
    expect(second).not.toBe(first)

    const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/verify', payload: { token: second } })
    expect(verify.statusCode).toBe(200)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })
    expect(me.json().user.emailVerified).toBe(true)
    const reuse = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/verify', payload: { token: second } })
    expect(reuse.statusCode).toBe(400)
    expect(reuse.json().error.code).toBe('invalid_token')
    const already = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/email/verification', headers: user.headers })
    expect(already.statusCode).toBe(409)
  })

  it('does not verify an address the account no longer has', async () => {
    const user = await registerUser(ctx.app)
    const token = await latestToken(user.email)
    await ctx.admin.query('update auth.users set email = $1 where id = $2', [`changed-${user.email}`, user.userId])
    const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/email/verify', payload: { token } })
    expect(verify.statusCode).toBe(400)
    expect(verify.json().error.code).toBe('invalid_token')
    const { rows } = await ctx.admin.query('select email_verified_at from auth.users where id = $1', [user.userId])
    expect(rows[0].email_verified_at).toBeNull()
  })
})
