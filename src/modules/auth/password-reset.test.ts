import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSWORD, createTestApp, login, registerUser, uniqueEmail, type TestContext } from '../../../test/app.ts'

const NEW_PASSWORD = 'a completely new passphrase'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp({ poolSize: 20 })
})
afterAll(async () => {
  await ctx.close()
})

function forgot(email: string) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password/forgot', payload: { email } })
}

function reset(token: string, password = NEW_PASSWORD) {
  return ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password/reset', payload: { token, password } })
}

async function resetToken(email: string): Promise<string> {
  const { rows } = await ctx.admin.query(`select body_text from app.mail_outbox where to_address = $1 and template = 'password_reset' order by created_at desc limit 1`, [email])
  const match = /http:\/\/tessera\.test\/reset-password\?token=([\w-]+)/.exec(rows[0]?.body_text ?? '')
  if (!match?.[1]) {
    throw new Error(`no reset mail for ${email}`)
  }
  return match[1]
}

describe('forgot password', () => {
  it('answers the same for a known and an unknown address, and mails only the known one', async () => {
    const user = await registerUser(ctx.app)
    const unknownEmail = uniqueEmail('nobody')
    const known = await forgot(user.email.toUpperCase())
    const unknown = await forgot(unknownEmail)
    expect(known.statusCode).toBe(202)
    expect(unknown.statusCode).toBe(202)
    expect(unknown.body).toBe(known.body)
    const token = await resetToken(user.email)
    expect(token.length).toBeGreaterThanOrEqual(43)
    const { rows } = await ctx.admin.query('select token_hash, expires_at > now() + interval \'25 minutes\' and expires_at <= now() + interval \'30 minutes\' as thirty from auth.password_reset_tokens where user_id = $1', [user.userId])
    expect(rows).toHaveLength(1)
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0].token_hash).not.toContain(token)
    expect(rows[0].thirty).toBe(true)
    const none = await ctx.admin.query('select 1 from app.mail_outbox where to_address = $1', [unknownEmail])
    expect(none.rowCount).toBe(0)
  })

  it('mails nothing to a suspended account', async () => {
    const user = await registerUser(ctx.app)
    await ctx.admin.query(`update auth.users set status = 'suspended' where id = $1`, [user.userId])
    expect((await forgot(user.email)).statusCode).toBe(202)
    await expect(resetToken(user.email)).rejects.toThrow(/no reset mail/)
  })
})

describe('reset password', () => {
  it('sets the new password, lifts the lockout and ends every session', async () => {
    const user = await registerUser(ctx.app)
    const other = await login(ctx.app, user.email)
    await ctx.admin.query(`update auth.users set failed_login_attempts = 5, locked_until = now() + interval '10 minutes' where id = $1`, [user.userId])
    await forgot(user.email)
    const response = await reset(await resetToken(user.email))
    expect(response.statusCode).toBe(204)
    for (const cookie of [user.cookie, other.cookie]) {
      expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401)
    }
    await expect(login(ctx.app, user.email, PASSWORD)).rejects.toThrow(/401/)
    await login(ctx.app, user.email, NEW_PASSWORD)
    const events = await ctx.admin.query(`select 1 from audit.audit_log where user_id = $1 and event_type = 'password_reset'`, [user.userId])
    expect(events.rowCount).toBe(1)
  })

  it('refuses an unknown, used, superseded or expired token', async () => {
    const user = await registerUser(ctx.app)
    expect((await reset('x'.repeat(43))).json().error.code).toBe('invalid_token')

    await forgot(user.email)
    const superseded = await resetToken(user.email)
    await forgot(user.email)
    const current = await resetToken(user.email)
    expect((await reset(superseded)).statusCode).toBe(400)
    expect((await reset(current)).statusCode).toBe(204)
    const reused = await reset(current, 'yet another passphrase')
    expect(reused.statusCode).toBe(400)
    expect(reused.json().error.code).toBe('invalid_token')

    await forgot(user.email)
    const expiring = await resetToken(user.email)
    await ctx.admin.query(`update auth.password_reset_tokens set expires_at = now() - interval '1 second' where user_id = $1 and used_at is null`, [user.userId])
    expect((await reset(expiring)).statusCode).toBe(400)
    await login(ctx.app, user.email, NEW_PASSWORD)
  })

  it('does not burn the token on a weak password', async () => {
    const user = await registerUser(ctx.app)
    await forgot(user.email)
    const token = await resetToken(user.email)
    const weak = await reset(token, 'short')
    expect(weak.statusCode).toBe(400)
    expect(weak.json().error.code).toBe('weak_password')
    expect((await reset(token)).statusCode).toBe(204)
  })

  it('lets exactly one of 100 concurrent uses of a token win', async () => {
    const user = await registerUser(ctx.app)
    await forgot(user.email)
    const token = await resetToken(user.email)
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => reset(token, `${NEW_PASSWORD} ${i}`)))
    const codes = responses.map((response) => response.statusCode)
    expect(codes.filter((code) => code === 204)).toHaveLength(1)
    expect(codes.filter((code) => code === 400)).toHaveLength(99)
    for (const response of responses.filter((r) => r.statusCode === 400)) {
      expect(response.json().error.code).toBe('invalid_token')
    }
    const winner = codes.indexOf(204)
    await login(ctx.app, user.email, `${NEW_PASSWORD} ${winner}`)
    const events = await ctx.admin.query(`select 1 from audit.audit_log where user_id = $1 and event_type = 'password_reset'`, [user.userId])
    expect(events.rowCount).toBe(1)
  })
})

/** Undoes the transfer encoding nodemailer picked, so the test can read the text as written. */
function decodeMessage(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  const base64Bodies = [...raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)].map((m) => Buffer.from((m[1] ?? '').replace(/\s/g, ''), 'base64').toString('utf8'))
  return [unfolded, ...base64Bodies].join('\n')
}

describe('mail delivery through SMTP', () => {
  let smtp: SMTPServer
  let mailCtx: TestContext
  const received: Array<{ to: string[]; raw: string }> = []

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    const port = (smtp.server.address() as AddressInfo).port
    mailCtx = await createTestApp({ env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_SECURE: 'false' } })
  })
  afterAll(async () => {
    await mailCtx.close()
    await new Promise<void>((resolve) => smtp.close(resolve))
  })

  it('sends the reset link, built from PUBLIC_URL, to the account\'s address', async () => {
    const user = await registerUser(mailCtx.app)
    const response = await mailCtx.app.inject({ method: 'POST', url: '/api/v1/auth/password/forgot', headers: { host: 'evil.example' }, payload: { email: user.email } })
    expect(response.statusCode).toBe(202)
    const sent = await mailCtx.services.mailer.deliver(mailCtx.services.db)
    expect(sent).toBeGreaterThanOrEqual(1)
    const message = received.find((m) => m.to.includes(user.email) && m.raw.includes('Reset your Tessera password'))
    expect(message).toBeDefined()
    const text = decodeMessage(message!.raw)
    const link = /http:\/\/tessera\.test\/reset-password\?token=([\w-]+)/.exec(text)
    expect(link?.[1]).toBeDefined()
    expect(text).not.toContain('evil.example')
    const { rows } = await mailCtx.admin.query(`select status from app.mail_outbox where to_address = $1 and template = 'password_reset'`, [user.email])
    expect(rows[0].status).toBe('sent')
    // The emailed link works.
    const done = await mailCtx.app.inject({ method: 'POST', url: '/api/v1/auth/password/reset', payload: { token: link![1], password: NEW_PASSWORD } })
    expect(done.statusCode).toBe(204)
  })
})
