import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { base32Decode, timeStep, totpAt } from '../auth/totp.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

async function startSetup(user: Session): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/setup', headers: user.headers })
  expect(response.statusCode).toBe(200)
  return response.json()
}

async function enrol(user: Session): Promise<{ secret: string; backupCodes: string[] }> {
  const { secret } = await startSetup(user)
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: user.headers, payload: { code: totpAt(secret, timeStep()) } })
  expect(response.statusCode).toBe(200)
  return { secret, backupCodes: response.json().backupCodes }
}

/** A code the server has not seen yet: moves the last accepted step back, as if a minute had passed. */
async function nextCode(user: Session, secret: string): Promise<string> {
  await ctx.admin.query('update auth.users set two_factor_last_step = two_factor_last_step - 2 where id = $1', [user.userId])
  return totpAt(secret, timeStep())
}

async function securityEvents(userId: string): Promise<string[]> {
  const { rows } = await ctx.admin.query<{ event_type: string }>(`select event_type from audit.audit_log where user_id = $1 and event_category = 'security' order by id`, [userId])
  return rows.map((row) => row.event_type)
}

describe('two-factor enrolment', () => {
  it('returns a secret, an otpauth URL and a QR code, and keeps 2FA off until a code is confirmed', async () => {
    const user = await registerUser(ctx.app)
    const setup = await startSetup(user)
    expect(base32Decode(setup.secret)).toHaveLength(20)
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Tessera:/)
    expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`)
    expect(setup.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/)
    const { rows } = await ctx.admin.query('select two_factor_enabled, two_factor_secret from auth.users where id = $1', [user.userId])
    expect(rows[0].two_factor_enabled).toBe(false)
    // Stored sealed, never in the clear.
    expect(rows[0].two_factor_secret).toMatch(/^v1:/)
    expect(rows[0].two_factor_secret).not.toContain(setup.secret)
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect(login.json().mfaRequired).toBeUndefined()
  })

  it('refuses a wrong code and enables 2FA with a right one, returning 10 distinct backup codes', async () => {
    const user = await registerUser(ctx.app)
    const { secret } = await startSetup(user)
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: user.headers, payload: { code: totpAt(secret, timeStep() + 5) } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().error.code).toBe('invalid_mfa_code')

    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: user.headers, payload: { code: totpAt(secret, timeStep()) } })
    expect(response.statusCode).toBe(200)
    const codes = response.json().backupCodes as string[]
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    const { rows } = await ctx.admin.query('select two_factor_enabled, backup_codes from auth.users where id = $1', [user.userId])
    expect(rows[0].two_factor_enabled).toBe(true)
    expect(rows[0].backup_codes).toHaveLength(10)
    expect(rows[0].backup_codes).not.toContain(codes[0])
    // The session that enabled 2FA stays signed in; a new sign-in needs the code.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).json().user.twoFactorEnabled).toBe(true)
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect(login.json()).toEqual({ mfaRequired: true })
    expect(await securityEvents(user.userId)).toEqual(expect.arrayContaining(['two_factor_failure', 'two_factor_enabled']))
  })

  it('refuses enable before setup, and setup or enable once enabled', async () => {
    const user = await registerUser(ctx.app)
    const early = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: user.headers, payload: { code: '123456' } })
    expect(early.statusCode).toBe(409)
    expect(early.json().error.code).toBe('mfa_not_enabled')
    await enrol(user)
    const setup = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/setup', headers: user.headers })
    expect(setup.statusCode).toBe(409)
    expect(setup.json().error.code).toBe('mfa_already_enabled')
  })
})

describe('disabling two-factor', () => {
  it('needs the password and a valid code', async () => {
    const user = await registerUser(ctx.app)
    const { secret } = await enrol(user)
    const wrongPassword = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/disable', headers: user.headers, payload: { password: 'not my password', code: await nextCode(user, secret) } })
    expect(wrongPassword.statusCode).toBe(400)
    expect(wrongPassword.json().error).toMatchObject({ code: 'wrong_password', details: [{ field: 'password' }] })
    const wrongCode = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/disable', headers: user.headers, payload: { password: PASSWORD, code: totpAt(secret, timeStep() + 5) } })
    expect(wrongCode.statusCode).toBe(400)
    expect(wrongCode.json().error.code).toBe('invalid_mfa_code')
    const { rows } = await ctx.admin.query('select two_factor_enabled from auth.users where id = $1', [user.userId])
    expect(rows[0].two_factor_enabled).toBe(true)

    const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/disable', headers: user.headers, payload: { password: PASSWORD, code: await nextCode(user, secret) } })
    expect(ok.statusCode).toBe(204)
    const after = await ctx.admin.query('select two_factor_enabled, two_factor_secret, backup_codes from auth.users where id = $1', [user.userId])
    expect(after.rows[0]).toEqual({ two_factor_enabled: false, two_factor_secret: null, backup_codes: [] })
    expect(await securityEvents(user.userId)).toContain('two_factor_disabled')
  })

  it('accepts a backup code, and ends sessions still waiting for their 2FA step', async () => {
    const user = await registerUser(ctx.app)
    const { backupCodes } = await enrol(user)
    const pending = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })
    expect(pending.json()).toEqual({ mfaRequired: true })
    const pendingCookie = (pending.headers['set-cookie'] as string).split(';')[0] ?? ''

    const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/disable', headers: user.headers, payload: { password: PASSWORD, code: backupCodes[0]!.toUpperCase() } })
    expect(ok.statusCode).toBe(204)
    // Without this, the password-only session would have become a full session.
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: pendingCookie } })
    expect(me.statusCode).toBe(401)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })).statusCode).toBe(200)
  })
})

describe('backup codes', () => {
  it('regenerates the codes; the old ones stop working', async () => {
    const user = await registerUser(ctx.app)
    const { secret, backupCodes } = await enrol(user)
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/backup-codes', headers: user.headers, payload: { code: await nextCode(user, secret) } })
    expect(response.statusCode).toBe(200)
    const fresh = response.json().backupCodes as string[]
    expect(fresh).toHaveLength(10)
    expect(fresh).not.toContain(backupCodes[0])
    const old = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/backup-codes', headers: user.headers, payload: { code: backupCodes[0] } })
    expect(old.statusCode).toBe(400)
    expect(old.json().error.code).toBe('invalid_mfa_code')
    expect(await securityEvents(user.userId)).toContain('backup_codes_regenerated')
  })

  it('refuses the same TOTP code twice', async () => {
    const user = await registerUser(ctx.app)
    const { secret } = await enrol(user)
    const code = await nextCode(user, secret)
    const first = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/backup-codes', headers: user.headers, payload: { code } })
    expect(first.statusCode).toBe(200)
    const replay = await ctx.app.inject({ method: 'POST', url: '/api/v1/me/2fa/backup-codes', headers: user.headers, payload: { code } })
    expect(replay.statusCode).toBe(400)
    expect(replay.json().error.code).toBe('invalid_mfa_code')
  })
})
