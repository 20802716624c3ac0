import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'

let ctx: TestContext
let admin: Session
let user: Session

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  user = await registerUser(ctx.app)
})
afterAll(async () => {
  await ctx.close()
})

function patch(session: Session, key: string, payload: unknown) {
  return ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/settings/${encodeURIComponent(key)}`, headers: session.headers, payload: payload as object })
}

describe('GET /api/v1/settings/public', () => {
  it('gives a signed-in user the public settings, typed, and nothing else', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/public', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(200)
    const body = response.json() as Record<string, unknown>
    expect(body.app_name).toBe('Tessera')
    expect(body['auth.allow_registration']).toBe(true)
    expect(body.max_file_size_mb).toBe(100)
    expect(body).not.toHaveProperty('auth.max_login_attempts')
    expect(body).not.toHaveProperty('mail.outbox_visible')
  })

  it('refuses anonymous callers', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/public' })
    expect(response.statusCode).toBe(401)
  })

  it('lets a row for the running environment override the row for all environments', async () => {
    await ctx.admin.query(
      `insert into app.system_settings (setting_key, setting_category, setting_name, setting_value, setting_type, is_public, environment)
       values ('timezone', 'general', 'Default Timezone', 'Europe/Paris', 'string', true, 'test')`,
    )
    try {
      const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/public', headers: { cookie: user.cookie } })
      expect(response.json().timezone).toBe('Europe/Paris')
    } finally {
      await ctx.admin.query("delete from app.system_settings where setting_key = 'timezone' and environment = 'test'")
    }
  })
})

describe('GET /api/v1/admin/settings', () => {
  it('lists every setting with typed values and its rules for an administrator', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/settings', headers: { cookie: admin.cookie } })
    expect(response.statusCode).toBe(200)
    const settings = response.json().settings as Array<Record<string, unknown>>
    const { rows } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from app.system_settings')
    expect(settings).toHaveLength(rows[0]!.n)
    expect(settings.find((s) => s.key === 'auth.max_login_attempts')).toMatchObject({
      category: 'security',
      name: 'Maximum login attempts',
      value: 5,
      defaultValue: 5,
      type: 'integer',
      min: 1,
      max: 100,
      isPublic: false,
      isReadonly: false,
      requiresRestart: false,
      environment: 'all',
      lastModifiedBy: null,
    })
    expect(settings.find((s) => s.key === 'mail.outbox_visible')).toMatchObject({ value: true, type: 'boolean' })
    expect(settings.find((s) => s.key === 'date_format')?.allowedValues).toContain('DD/MM/YYYY HH:mm')
    expect(settings.find((s) => s.key === 'app_name')?.validationRules).toEqual({ minLength: 1, maxLength: 60 })
    expect(settings.find((s) => s.key === 'app_version')?.isReadonly).toBe(true)
  })

  it('answers 403 to a user who is not an administrator', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/settings', headers: { cookie: user.cookie } })
    expect(response.statusCode).toBe(403)
    expect(response.json().error.code).toBe('forbidden')
  })
})

describe('PATCH /api/v1/admin/settings/{key}', () => {
  it('stores a valid value with who changed it and why, and the audit log records it', async () => {
    const response = await patch(admin, 'auth.max_login_attempts', { value: 7, reason: 'fewer lockouts' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ key: 'auth.max_login_attempts', value: 7, lastModifiedBy: admin.userId, lastModifiedReason: 'fewer lockouts' })
    const stored = await ctx.admin.query("select setting_value, last_modified_by, last_modified_reason from app.system_settings where setting_key = 'auth.max_login_attempts'")
    expect(stored.rows[0]).toEqual({ setting_value: '7', last_modified_by: admin.userId, last_modified_reason: 'fewer lockouts' })
    const audit = await ctx.admin.query<{ user_id: string; changed_fields: string[]; new_values: { setting_value: string } }>(
      "select user_id, changed_fields, new_values from audit.audit_log where table_name = 'app.system_settings' and action = 'UPDATE' and resource_name = 'auth.max_login_attempts' order by id desc limit 1",
    )
    expect(audit.rows[0]?.user_id).toBe(admin.userId)
    expect(audit.rows[0]?.changed_fields).toEqual(expect.arrayContaining(['setting_value', 'last_modified_reason']))
    expect(audit.rows[0]?.new_values.setting_value).toBe('7')
    expect(await ctx.services.settings.integer('auth.max_login_attempts', 0)).toBe(7)
  })

  it('accepts the text form of a value and shows public changes to every user', async () => {
    expect((await patch(admin, 'auth.max_login_attempts', { value: '8' })).json().value).toBe(8)
    const renamed = await patch(admin, 'app_name', { value: 'Acme Analytics' })
    expect(renamed.statusCode).toBe(200)
    const publicSettings = await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/public', headers: { cookie: user.cookie } })
    expect(publicSettings.json().app_name).toBe('Acme Analytics')
  })

  it.each([
    ['auth.max_login_attempts', 0, 'must be at least 1'],
    ['auth.max_login_attempts', 101, 'must be at most 100'],
    ['auth.max_login_attempts', 'abc', 'must be a whole number'],
    ['mail.outbox_visible', 'yes', 'must be true or false'],
    ['date_format', 'YYYY', 'must be one of'],
    ['timezone', 'not a zone!', 'must match'],
    ['app_name', '', 'must be at least 1 characters'],
  ])('refuses %s = %j naming the rule', async (key, value, rule) => {
    const before = await ctx.admin.query('select setting_value from app.system_settings where setting_key = $1', [key])
    const response = await patch(admin, key, { value })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('invalid_setting_value')
    expect(response.json().error.message).toContain(rule)
    const after = await ctx.admin.query('select setting_value from app.system_settings where setting_key = $1', [key])
    expect(after.rows).toEqual(before.rows)
  })

  it('refuses to change a read-only setting', async () => {
    const response = await patch(admin, 'app_version', { value: '9.9.9' })
    expect(response.statusCode).toBe(400)
    expect(response.json().error.code).toBe('setting_readonly')
  })

  it('answers 404 for an unknown key and 400 without a value', async () => {
    expect((await patch(admin, 'no.such.setting', { value: 1 })).statusCode).toBe(404)
    const missing = await patch(admin, 'auth.max_login_attempts', { reason: 'no value' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().error.code).toBe('validation_failed')
  })

  it('refuses a user who is not an administrator and changes nothing', async () => {
    const response = await patch(user, 'auth.max_login_attempts', { value: 3 })
    expect(response.statusCode).toBe(403)
    const { rows } = await ctx.admin.query("select setting_value from app.system_settings where setting_key = 'auth.max_login_attempts'")
    expect(rows[0].setting_value).not.toBe('3')
  })
})
