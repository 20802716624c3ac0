import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, login, registerUser, setupAdmin, uniqueEmail, type TestContext } from '../../../test/app.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

describe('setup, registration and sign-in', () => {
  it('creates the instance administrator once, then refuses a second setup', async () => {
    const state = await ctx.app.inject({ method: 'GET', url: '/api/v1/setup' })
    expect(state.json()).toEqual({ required: true, tokenRequired: false })
    const admin = await setupAdmin(ctx.app)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: admin.cookie } })
    expect(me.statusCode).toBe(200)
    const again = await ctx.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { email: uniqueEmail(), password: PASSWORD, name: 'Second' } })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('setup_completed')
  })

  it('answers registration the same for a new and an existing email', async () => {
    const email = uniqueEmail()
    const first = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, name: 'A' } })
    const second = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: email.toUpperCase(), password: PASSWORD, name: 'B' } })
    expect(first.statusCode).toBe(202)
    expect(second.statusCode).toBe(202)
    expect(second.body).toBe(first.body)
    const { rows } = await ctx.admin.query('select count(*)::int as n from auth.users where email = $1', [email])
    expect(rows[0].n).toBe(1)
  })

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const user = await registerUser(ctx.app)
    const unknown = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: uniqueEmail(), password: PASSWORD } })
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: 'not the password' } })
    expect(unknown.statusCode).toBe(401)
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json()).toEqual(unknown.json())
  })

  it('stores only a hash of the session token and an argon2id password hash', async () => {
    const user = await registerUser(ctx.app)
    const token = user.cookie.split('=')[1]
    const { rows } = await ctx.admin.query('select s.token_hash, u.password_hash from auth.sessions s join auth.users u on u.id = s.user_id where u.id = $1', [user.userId])
    expect(rows[0].token_hash).not.toBe(token)
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  it('signs out and the old cookie no longer works', async () => {
    const user = await registerUser(ctx.app)
    const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.headers })
    expect(out.statusCode).toBe(204)
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: user.cookie } })
    expect(me.statusCode).toBe(401)
    await login(ctx.app, user.email)
  })
})
