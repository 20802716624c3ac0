import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, setupAdmin, type Session, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'

let ctx: TestContext
let admin: Session
let org: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  admin = await setupAdmin(ctx.app)
  org = await createOrg(ctx.app, await registerUser(ctx.app, { name: 'Quota Owner' }), { name: 'Quota Org' })
})
afterAll(async () => {
  await ctx.close()
})

const setLimit = (session: Session, orgId: string, storageLimitGb: unknown) =>
  ctx.app.inject({ method: 'PATCH', url: `/api/v1/admin/organizations/${orgId}`, headers: session.headers, payload: { storageLimitGb } })

describe('admin organizations', () => {
  it('lists organizations with storage use and limit, searchable by name', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/organizations?query=quota', headers: { cookie: admin.cookie } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ total: 1, organizations: [{ id: org.id, name: 'Quota Org', storageUsedGb: 0, storageLimitGb: null }] })
  })

  it('sets and removes the storage limit, and a push over it gets 507 while earlier data stays', async () => {
    const pipeline = await createPipeline(ctx.app, org)
    const { key } = await createApiKey(ctx.app, org, ['ingest'])
    expect((await push(ctx.app, pipeline.id, { key, records: [{ n: 1 }] })).statusCode).toBe(200)

    const limited = await setLimit(admin, org.id, 0)
    expect(limited.statusCode).toBe(200)
    expect(limited.json()).toMatchObject({ storageLimitGb: 0, storageUsedGb: expect.any(Number) })
    const refused = await push(ctx.app, pipeline.id, { key, records: [{ n: 2 }] })
    expect(refused.statusCode).toBe(507)
    expect(refused.json().error.code).toBe('storage_limit_exceeded')

    expect((await setLimit(admin, org.id, null)).json()).toMatchObject({ storageLimitGb: null })
    expect((await push(ctx.app, pipeline.id, { key, records: [{ n: 3 }] })).statusCode).toBe(200)
    const { rows } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ingest.pipeline_data where pipeline_id = $1', [pipeline.id])
    expect(rows[0]!.n).toBe(2)
  })

  it('refuses other users, unknown organizations and invalid limits', async () => {
    expect((await setLimit(org.owner, org.id, 1000)).statusCode).toBe(403)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/admin/organizations', headers: { cookie: org.owner.cookie } })).statusCode).toBe(403)
    expect((await setLimit(admin, '00000000-0000-4000-8000-000000000000', 5)).statusCode).toBe(404)
    const negative = await setLimit(admin, org.id, -1)
    expect(negative.statusCode).toBe(400)
    expect(negative.json().error.code).toBe('validation_failed')
  })

  it("does not let the organization's owner write quota or accounting columns, even in SQL", async () => {
    const context = { orgId: org.id, userId: org.owner.userId, requestId: 'test' }
    for (const column of ['storage_limit_gb', 'storage_used_gb', 'subscription_tier']) {
      const value = column === 'subscription_tier' ? `'enterprise'` : '999'
      await expect(
        withContext(ctx.services.db, context, (trx) => sql`update app.organizations set ${sql.ref(column)} = ${sql.raw(value)} where id = ${org.id}`.execute(trx)),
      ).rejects.toMatchObject({ code: '42501' })
    }
    await expect(
      withContext(ctx.services.db, context, (trx) => sql`select private.set_organization_storage_limit(${org.id}::uuid, 999)`.execute(trx)),
    ).rejects.toMatchObject({ code: '42501' })
    const renamed = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/orgs/${org.id}`, headers: org.owner.headers, payload: { name: 'Quota Org Renamed' } })
    expect(renamed.statusCode).toBe(200)
  })
})
