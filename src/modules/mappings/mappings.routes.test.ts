import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type Session, type TestContext } from '../../../test/app.ts'
import { createOrg, type OrgFixture } from '../../../test/tenancy.ts'

const mapping = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.amount', field: 'amount', type: 'number' },
    { path: '$.at', field: 'at', type: 'timestamp' },
  ],
  transformations: [
    { kind: 'compute', field: 'cents', expression: 'round(amount * 100)' },
    { kind: 'filter', expression: 'cents > 0' },
  ],
  timestampField: 'at',
}
const sample = [{ id: 1, amount: '2.5', at: 1_700_000_000 }, { amount: 1 }, { id: 3, amount: 0 }, { id: 4, amount: 1, at: 'soon' }]

describe('POST /api/v1/orgs/:orgId/mappings/preview', () => {
  let ctx: TestContext
  let org: OrgFixture
  let outsider: Session

  beforeAll(async () => {
    ctx = await createTestApp()
    const owner = await registerUser(ctx.app)
    org = await createOrg(ctx.app, owner)
    outsider = await registerUser(ctx.app)
  })

  afterAll(async () => {
    await ctx?.close()
  })

  const preview = (session: Session, orgId: string, payload: unknown) =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${orgId}/mappings/preview`, headers: session.headers, payload: payload as Record<string, unknown> })

  it('applies the mapping to the sample for a member', async () => {
    const response = await preview(org.owner, org.id, { mapping, sample })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      rows: [{ index: 0, data: { id: 1, amount: 2.5, at: '2023-11-14T22:13:20.000Z', cents: 250 }, recordTime: '2023-11-14T22:13:20.000Z' }],
      errors: [
        { index: 1, code: 'missing_field', field: 'id', message: "The required field 'id' is missing ($.id)" },
        { index: 3, code: 'cast_failed', field: 'at', message: 'Cannot cast "soon" to timestamp (field \'at\')' },
      ],
      filtered: 1,
    })
  })

  it('answers 404 for an organization the caller is not a member of', async () => {
    const response = await preview(outsider, org.id, { mapping, sample })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } })
  })

  it('answers 400 invalid_mapping with details naming the bad expression', async () => {
    const response = await preview(org.owner, org.id, { mapping: { mappings: [], transformations: [{ kind: 'filter', expression: 'a ==' }] }, sample })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({
      error: {
        code: 'invalid_mapping',
        message: 'Invalid mapping: transformations[0].expression: Unexpected end of expression at position 5',
        details: [{ field: 'transformations[0].expression', message: 'Unexpected end of expression at position 5' }],
      },
    })
  })

  it('refuses a sample over 1,000 records and anonymous callers', async () => {
    const tooMany = await preview(org.owner, org.id, { mapping, sample: Array.from({ length: 1001 }, () => ({})) })
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json()).toMatchObject({ error: { code: 'validation_failed' } })
    const anonymous = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/mappings/preview`, payload: { mapping, sample } })
    expect(anonymous.statusCode).toBe(401)
  })
})
