import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, registerUser, type Session, type TestContext, cookieOf } from '../../../test/app.ts'
import { timeStep, totpAt } from './totp.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

/** A user with 2FA on; the enabling code used the current step. */
async function userWithTwoFactor(): Promise<Session & { secret: string; backupCodes: string[]; enableCode: string }> {
  const user = await registerUser(ctx.app)
  const setup = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/setup', headers: user.headers })
  const secret = setup.json().secret as string
  const enableCode = totpAt(secret, timeStep())
  const enable = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: user.headers, payload: { code: enableCode } })
  expect(enable.statusCode).toBe(200)
  return { ...user, secret, enableCode, backupCodes: enable.json().backupCodes }
}

/** The password step: answers mfaRequired and a cookie that only unlocks /auth/login/mfa. */
async function passwordStep(email: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } })
  expect(response.statusCode).toBe(200)
  expect(response.json()).toEqual({ mfaRequired: true })
  return cookieOf(response)
}

function mfa(cookie: string, code: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', headers: { cookie, 'x-requested-with': 'XMLHttpRequest' }, payload: { code } })
}

async function sessionIdOf(userId: string, cookie: string): Promise<string | undefined> {
  const { rows } = await ctx.admin.query<{ id: string }>(`select id from auth.sessions where user_id = $1 and token_hash = encode(sha256(convert_to($2, 'utf8')), 'hex')`, [userId, cookie.split('=')[1]])
  return rows[0]?.id
}

describe('POST /auth/login/mfa', () => {
  it('the pending cookie opens nothing but the 2FA step', async () => {
    const user = await userWithTwoFactor()
    const pending = await passwordStep(user.email)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: pending } })
    expect(me.statusCode).toBe(401)
    expect(me.json().error.code).toBe('mfa_required')
    const sessions = await ctx.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { cookie: pending } })
    expect(sessions.statusCode).toBe(401)
  })

  it('completes sign-in with a TOTP code and rotates the session id', async () => {
    const user = await userWithTwoFactor()
    const pending = await passwordStep(user.email)
    const pendingId = await sessionIdOf(user.userId, pending)
    expect(pendingId).toBeDefined()

    const response = await mfa(pending, totpAt(user.secret, timeStep() + 1))
    expect(response.statusCode).toBe(200)
    expect(response.json().user).toMatchObject({ id: user.userId, twoFactorEnabled: true })
    const full = cookieOf(response)
    expect(full).not.toBe(pending)
    const fullId = await sessionIdOf(user.userId, full)
    expect(fullId).toBeDefined()
    expect(fullId).not.toBe(pendingId)

    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: full } })
    expect(me.statusCode).toBe(200)
    expect(me.json().csrfToken).toBe(response.json().csrfToken)
    // The pending cookie is spent: it neither reads nor repeats the step.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: pending } })).statusCode).toBe(401)
    expect((await mfa(pending, user.backupCodes[0]!)).statusCode).toBe(401)
    const { rows } = await ctx.admin.query('select login_method, mfa_verified from auth.sessions where id = $1', [fullId])
    expect(rows[0]).toEqual({ login_method: 'totp', mfa_verified: true })
  })

  it('refuses a TOTP code that was already used', async () => {
    const user = await userWithTwoFactor()
    const pending = await passwordStep(user.email)
    const replayOfEnable = await mfa(pending, user.enableCode)
    expect(replayOfEnable.statusCode).toBe(401)
    expect(replayOfEnable.json().error.code).toBe('invalid_mfa_code')

    const code = totpAt(user.secret, timeStep() + 1)
    expect((await mfa(pending, code)).statusCode).toBe(200)
    const second = await passwordStep(user.email)
    const replay = await mfa(second, code)
    expect(replay.statusCode).toBe(401)
    expect(replay.json().error.code).toBe('invalid_mfa_code')
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: second } })).statusCode).toBe(401)
  })

  it('accepts each backup code once', async () => {
    const user = await userWithTwoFactor()
    const [first, second] = user.backupCodes
    const ok = await mfa(await passwordStep(user.email), first!)
    expect(ok.statusCode).toBe(200)
    const { rows } = await ctx.admin.query(`select login_method from auth.sessions where user_id = $1 and is_active order by created_at desc limit 1`, [user.userId])
    expect(rows[0].login_method).toBe('backup_code')

    const reuse = await mfa(await passwordStep(user.email), first!)
    expect(reuse.statusCode).toBe(401)
    expect(reuse.json().error.code).toBe('invalid_mfa_code')
    expect((await mfa(await passwordStep(user.email), second!)).statusCode).toBe(200)
    const left = await ctx.admin.query('select cardinality(backup_codes) as n from auth.users where id = $1', [user.userId])
    expect(left.rows[0].n).toBe(8)
  })

  it('locks the account after too many wrong codes and ends the pending session', async () => {
    const user = await userWithTwoFactor()
    const pending = await passwordStep(user.email)
    const wrong = totpAt(user.secret, timeStep() + 10)
    for (let attempt = 1; attempt < 5; attempt++) {
      const response = await mfa(pending, wrong)
      expect(response.statusCode).toBe(401)
      expect(response.json().error.code).toBe('invalid_mfa_code')
    }
    const locking = await mfa(pending, wrong)
    expect(locking.json().error.code).toBe('account_locked')
    expect((await mfa(pending, totpAt(user.secret, timeStep() + 1))).statusCode).toBe(401)
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect(login.statusCode).toBe(401)
    const { rows } = await ctx.admin.query(`select count(*)::int as n from audit.audit_log where user_id = $1 and event_type = 'two_factor_failure'`, [user.userId])
    expect(rows[0].n).toBe(5)
  })

  it('is rate-limited per client address', async () => {
    const user = await userWithTwoFactor()
    const pending = await passwordStep(user.email)
    await ctx.admin.query(`update app.system_settings set setting_value = '2' where setting_key = 'auth.login_rate_limit_per_minute'`)
    try {
      const attempt = () => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', remoteAddress: '10.9.8.7', headers: { cookie: pending, 'x-requested-with': 'XMLHttpRequest' }, payload: { code: '000000' } })
      await attempt()
      await attempt()
      const limited = await attempt()
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.code).toBe('rate_limited')
    } finally {
      await ctx.admin.query(`update app.system_settings set setting_value = '100000' where setting_key = 'auth.login_rate_limit_per_minute'`)
    }
  })

  it('answers 401 without a session and 409 for a session that is already signed in', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login/mfa', payload: { code: '123456' } })
    expect(response.statusCode).toBe(401)
    const user = await userWithTwoFactor()
    const full = await mfa(user.cookie, user.backupCodes[0]!)
    expect(full.statusCode).toBe(409)
    expect(full.json().error.code).toBe('conflict')
    const { rows } = await ctx.admin.query('select cardinality(backup_codes) as n from auth.users where id = $1', [user.userId])
    expect(rows[0].n).toBe(10)
  })
})
