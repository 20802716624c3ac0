import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { addMember, bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

const MAPPING = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.temp', field: 'temperature', type: 'number', onCastError: 'null' },
    { path: '$.code', field: 'code', type: 'string' },
    { path: '$.meta', field: 'meta', type: 'json' },
  ],
  transformations: [],
}

interface Setup {
  org: OrgFixture
  pipelineId: string
  key: string
}

async function setup(pipelineBody: Record<string, unknown> = {}): Promise<Setup> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const pipeline = await createPipeline(ctx.app, org, pipelineBody)
  const { key } = await createApiKey(ctx.app, org, ['ingest'])
  return { org, pipelineId: pipeline.id, key }
}

const checksUrl = (s: Setup, rest = '') => `/api/v1/orgs/${s.org.id}/pipelines/${s.pipelineId}/quality-checks${rest}`

async function addCheck(s: Setup, body: Record<string, unknown>): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: checksUrl(s), headers: s.org.owner.headers, payload: { name: `check ${Math.random().toString(36).slice(2, 8)}`, ...body } })
  if (response.statusCode !== 201) {
    throw new Error(`create check failed: ${response.statusCode} ${response.body}`)
  }
  return (response.json() as { id: string }).id
}

async function pipelineStatus(s: Setup): Promise<{ status: string; status_reason: string | null }> {
  const { rows } = await ctx.admin.query('select status, status_reason from ingest.pipelines where id = $1', [s.pipelineId])
  return rows[0]
}

async function auditActions(checkId: string): Promise<string[]> {
  const { rows } = await ctx.admin.query("select action from audit.audit_log where table_name = 'ingest.data_quality_checks' and record_id = $1 order by id", [checkId])
  return rows.map((row) => row.action)
}

async function storedCount(s: Setup): Promise<number> {
  const { rows } = await ctx.admin.query('select count(*)::int as n from ingest.pipeline_data where pipeline_id = $1', [s.pipelineId])
  return rows[0].n
}

describe('data quality checks on pushed batches', () => {
  it('completeness: passes a batch with every field, fails one with missing or null fields, and answers each verdict', async () => {
    const s = await setup()
    const checkId = await addCheck(s, { name: 'has id and user.email', checkType: 'completeness', config: { fields: ['id', 'user.email'] } })
    const good = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ id: 1, user: { email: 'a@x' } }, { id: 2, user: { email: 'b@x' } }] })
    expect(good.statusCode).toBe(200)
    expect(good.json()).toMatchObject({ accepted: 2, quality: [{ checkId, name: 'has id and user.email', checkType: 'completeness', passed: true, passRatio: 1, onFailure: 'warn' }] })

    const bad = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ id: 3, user: { email: 'c@x' } }, { id: null, user: { email: 'd@x' } }, { id: 5 }] })
    expect(bad.statusCode).toBe(200)
    expect(bad.json()).toMatchObject({ accepted: 3, quality: [{ checkId, passed: false }] })
    expect(bad.json().quality[0].passRatio).toBeCloseTo(1 / 3)

    // warn only records: the pipeline stays active and the rows are stored.
    expect(await pipelineStatus(s)).toEqual({ status: 'active', status_reason: null })
    expect(await storedCount(s)).toBe(5)

    const results = await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${checkId}/results`), headers: s.org.owner.headers })
    expect(results.statusCode).toBe(200)
    const list = results.json().results
    expect(list.map((r: { passed: boolean }) => r.passed)).toEqual([false, true])
    expect(list[0]).toMatchObject({ checkId, trigger: 'batch', ingestionJobId: bad.json().ingestionJobId, executionId: null })
    expect(list[0].result).toMatchObject({ rows: 3, checked: 3, passedRows: 1, failedRows: 2, skipped: 0, threshold: 1 })
    expect(list[0].result.failures).toEqual([
      { index: 1, field: 'id', reason: 'is null' },
      { index: 2, field: 'user.email', reason: 'is missing' },
    ])
    const check = await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${checkId}`), headers: s.org.owner.headers })
    expect(check.json()).toMatchObject({ passed: false, result: { failedRows: 2 }, executedAt: expect.any(String) })
  })

  it('accuracy: checks ranges, patterns and allowed values, skips missing values, and fails only below the threshold', async () => {
    const s = await setup()
    const range = await addCheck(s, { checkType: 'accuracy', config: { field: 'temp', min: -40, max: 60 } })
    const pattern = await addCheck(s, { checkType: 'accuracy', config: { field: 'code', pattern: '^[A-Z]{3}-\\d+$' } })
    const allowed = await addCheck(s, { checkType: 'accuracy', config: { field: 'level', allowed: ['info', 'warn', 'error'] }, threshold: 0.5 })
    const response = await push(ctx.app, s.pipelineId, {
      key: s.key,
      records: [
        { temp: 20, code: 'ABC-1', level: 'info' },
        { temp: 99, code: 'abc-2', level: 'debug' },
        { temp: 'hot', code: 'XYZ-3', level: 'warn' },
        { code: 42 },
      ],
    })
    const verdicts = Object.fromEntries((response.json().quality as Array<{ checkId: string; passed: boolean; passRatio: number }>).map((q) => [q.checkId, q]))
    expect(verdicts[range]).toMatchObject({ passed: false, passRatio: 1 / 3 })
    expect(verdicts[pattern]).toMatchObject({ passed: false, passRatio: 0.5 })
    // 2 of 3 levels are allowed: above the threshold of 0.5.
    expect(verdicts[allowed]).toMatchObject({ passed: true })
    const { rows } = await ctx.admin.query('select check_id::text, result from ingest.data_quality_results where check_id = any($1)', [[range, pattern]])
    const byCheck = Object.fromEntries(rows.map((row) => [row.check_id, row.result]))
    expect(byCheck[range]).toMatchObject({ checked: 3, skipped: 1, failures: [{ index: 1, field: 'temp', reason: 'is above the maximum 60', value: 99 }, { index: 2, reason: 'is not a number', value: 'hot' }] })
    expect(byCheck[pattern]).toMatchObject({ checked: 4, failures: [{ index: 1, reason: 'does not match the pattern', value: 'abc-2' }, { index: 3, reason: 'is not a string', value: 42 }] })
  })

  it("consistency: checks declared types, or the types of the pipeline's mapping", async () => {
    const plain = await setup()
    const declared = await addCheck(plain, { checkType: 'consistency', config: { fields: { n: 'integer', at: 'timestamp', tags: 'array' } } })
    const ok = await push(ctx.app, plain.pipelineId, { key: plain.key, records: [{ n: 1, at: '2024-05-01T10:00:00Z', tags: [] }, { n: 2 }] })
    expect(ok.json().quality).toMatchObject([{ checkId: declared, passed: true }])
    const wrong = await push(ctx.app, plain.pipelineId, { key: plain.key, records: [{ n: 1.5 }, { at: 'yesterday' }, { tags: 'a,b' }, { n: 3 }] })
    expect(wrong.json().quality).toMatchObject([{ checkId: declared, passed: false, passRatio: 0.25 }])

    // Without fields, the mapping's types: a compute step could write anything into a typed field.
    const mapped = await setup({ mapping: { ...MAPPING, transformations: [{ kind: 'compute', field: 'code', expression: 'id * 2' }, { kind: 'rename', from: 'temperature', to: 'temp_c' }] } })
    const fromMapping = await addCheck(mapped, { checkType: 'consistency', config: {} })
    const response = await push(ctx.app, mapped.pipelineId, { key: mapped.key, records: [{ id: 1, temp: '21.5', code: 'A', meta: { any: 'thing' } }, { id: 2, temp: 'n/a' }] })
    expect(response.json()).toMatchObject({ accepted: 2, quality: [{ checkId: fromMapping, passed: true }] })
    // A consistency check without fields on a pipeline without a mapping has nothing to check against.
    const refused = await ctx.app.inject({ method: 'POST', url: checksUrl(plain), headers: plain.org.owner.headers, payload: { name: 'types', checkType: 'consistency', config: {} } })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().error.details[0].field).toBe('body.config.fields')
  })

  it("pause: a failing check pauses the pipeline naming the check, the batch is stored, and the next push answers 409", async () => {
    const s = await setup()
    await addCheck(s, { name: 'Temperatures in range', checkType: 'accuracy', config: { field: 'temp', min: 0, max: 50 }, onFailure: 'pause', threshold: 0.9 })
    const passing = await push(ctx.app, s.pipelineId, { key: s.key, records: Array.from({ length: 10 }, (_, i) => ({ temp: i === 0 ? 80 : 20 })) })
    // 9 of 10: exactly the threshold.
    expect(passing.json().quality[0]).toMatchObject({ passed: true, passRatio: 0.9 })
    expect((await pipelineStatus(s)).status).toBe('active')

    const failing = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ temp: 20 }, { temp: 80 }] })
    expect(failing.statusCode).toBe(200)
    expect(failing.json()).toMatchObject({ accepted: 2, quality: [{ passed: false, onFailure: 'pause', passRatio: 0.5 }] })
    expect(await storedCount(s)).toBe(12)
    const paused = await pipelineStatus(s)
    expect(paused.status).toBe('paused')
    expect(paused.status_reason).toContain('Data quality check "Temperatures in range" (accuracy) failed: 50% of 2 checked rows passed, below its threshold of 90%')

    const next = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ temp: 20 }] })
    expect(next.statusCode).toBe(409)
    expect(next.json().error.code).toBe('pipeline_paused')
    expect(next.json().error.message).toContain('Temperatures in range')
    expect(await storedCount(s)).toBe(12)

    const resumed = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${s.org.id}/pipelines/${s.pipelineId}/resume`, headers: s.org.owner.headers })
    expect(resumed.json()).toMatchObject({ status: 'active', statusReason: null })
    expect((await push(ctx.app, s.pipelineId, { key: s.key, records: [{ temp: 20 }] })).statusCode).toBe(200)
  })

  it('leaves the answer unchanged without checks, ignores disabled checks, and replays the verdicts with an Idempotency-Key', async () => {
    const s = await setup()
    expect(Object.keys((await push(ctx.app, s.pipelineId, { key: s.key, records: [{ a: 1 }] })).json()).sort()).toEqual(['accepted', 'errors', 'filtered', 'ingestionJobId', 'rejected'])
    const checkId = await addCheck(s, { checkType: 'completeness', config: { fields: ['b'] }, onFailure: 'pause', enabled: false })
    expect((await push(ctx.app, s.pipelineId, { key: s.key, records: [{ a: 1 }] })).json().quality).toBeUndefined()
    await ctx.app.inject({ method: 'PATCH', url: checksUrl(s, `/${checkId}`), headers: s.org.owner.headers, payload: { enabled: true, onFailure: 'warn' } })
    const first = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ a: 1 }], idempotencyKey: 'batch-1' })
    const replay = await push(ctx.app, s.pipelineId, { key: s.key, records: [{ a: 1 }], idempotencyKey: 'batch-1' })
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json()).toEqual(first.json())
    const { rows } = await ctx.admin.query('select count(*)::int as n from ingest.data_quality_results where check_id = $1', [checkId])
    expect(rows[0].n).toBe(1)
  })

  it('runs the checks on webhook pushes too', async () => {
    const org = await createOrg(ctx.app, await registerUser(ctx.app))
    const pipeline = await createPipeline(ctx.app, org)
    const s: Setup = { org, pipelineId: pipeline.id, key: '' }
    await addCheck(s, { checkType: 'completeness', config: { fields: ['id'] }, onFailure: 'pause' })
    const response = await ctx.app.inject({ method: 'POST', url: new URL(pipeline.webhookUrl!).pathname, headers: { 'content-type': 'application/json' }, payload: [{ other: 1 }] })
    expect(response.statusCode).toBe(200)
    expect(response.json().quality).toMatchObject([{ passed: false }])
    expect((await pipelineStatus(s)).status).toBe('paused')
  })
})

describe('the quality-checks API', () => {
  it('creates, lists, changes and deletes checks; members write, viewers and read keys only read', async () => {
    const s = await setup()
    const member = await addMember(ctx.app, s.org, 'member')
    const viewer = await addMember(ctx.app, s.org, 'viewer')
    const created = await ctx.app.inject({
      method: 'POST',
      url: checksUrl(s),
      headers: member.headers,
      payload: { name: 'Fresh', checkType: 'freshness', config: { maxAgeMinutes: 15 }, onFailure: 'pause' },
    })
    expect(created.statusCode).toBe(201)
    const check = created.json()
    expect(check).toMatchObject({ name: 'Fresh', checkType: 'freshness', config: { maxAgeMinutes: 15 }, enabled: true, onFailure: 'pause', threshold: 1, passed: null, result: null, executedAt: null, createdBy: member.userId })

    const denied = await ctx.app.inject({ method: 'POST', url: checksUrl(s), headers: viewer.headers, payload: { name: 'Nope', checkType: 'freshness', config: { maxAgeMinutes: 1 } } })
    expect(denied.statusCode).toBe(403)
    const key = await createApiKey(ctx.app, s.org, ['read'])
    const listed = await ctx.app.inject({ method: 'GET', url: checksUrl(s), headers: bearer(key.key) })
    expect(listed.json().checks.map((c: { id: string }) => c.id)).toEqual([check.id])
    expect((await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${check.id}`), headers: viewer.headers })).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'PATCH', url: checksUrl(s, `/${check.id}`), headers: viewer.headers, payload: { enabled: false } })).statusCode).toBe(403)

    const duplicate = await ctx.app.inject({ method: 'POST', url: checksUrl(s), headers: member.headers, payload: { name: 'Fresh', checkType: 'freshness', config: { maxAgeMinutes: 1 } } })
    expect(duplicate.statusCode).toBe(409)
    const changed = await ctx.app.inject({ method: 'PATCH', url: checksUrl(s, `/${check.id}`), headers: member.headers, payload: { config: { maxAgeMinutes: 30 }, onFailure: 'warn' } })
    expect(changed.json()).toMatchObject({ config: { maxAgeMinutes: 30 }, onFailure: 'warn', checkType: 'freshness' })
    expect(await auditActions(check.id)).toEqual(['INSERT', 'UPDATE'])

    expect((await ctx.app.inject({ method: 'DELETE', url: checksUrl(s, `/${check.id}`), headers: member.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${check.id}`), headers: member.headers })).statusCode).toBe(404)
  })

  it('refuses invalid configurations naming the field', async () => {
    const s = await setup()
    const attempt = async (checkType: string, config: unknown) => {
      const response = await ctx.app.inject({ method: 'POST', url: checksUrl(s), headers: s.org.owner.headers, payload: { name: 'bad', checkType, config } })
      expect(response.statusCode, JSON.stringify(config)).toBe(400)
      return response.json().error as { code: string; message: string; details: Array<{ field: string }> }
    }
    expect((await attempt('completeness', { fields: [] })).details[0]?.field).toBe('body.config.fields')
    expect((await attempt('completeness', { fields: ['a'], extra: 1 })).details[0]?.field).toBe('body.config.extra')
    expect((await attempt('accuracy', { field: 'a' })).message).toContain('needs min, max, pattern or allowed')
    expect((await attempt('accuracy', { field: 'a', min: 5, max: 1 })).details[0]?.field).toBe('body.config.min')
    expect((await attempt('accuracy', { field: 'a', pattern: '(' })).message).toContain('not a valid regular expression')
    expect((await attempt('accuracy', { field: 'a', pattern: '^(a+)+$' })).message).toContain('must not repeat a group')
    expect((await attempt('accuracy', { field: 'a', pattern: '(\\w)\\1' })).message).toContain('back-references')
    expect((await attempt('consistency', { fields: { a: 'decimal' } })).details[0]?.field).toBe('body.config.fields.a')
    expect((await attempt('freshness', { maxAgeMinutes: 0 })).details[0]?.field).toBe('body.config.maxAgeMinutes')
    expect((await ctx.app.inject({ method: 'POST', url: checksUrl(s), headers: s.org.owner.headers, payload: { name: 'x', checkType: 'completeness', config: { fields: ['a'] }, threshold: 2 } })).statusCode).toBe(400)
  })

  it('evaluates a check now over the newest stored rows without pausing the pipeline', async () => {
    const s = await setup()
    await push(ctx.app, s.pipelineId, { key: s.key, records: [{ id: 1 }, {}, { id: 3 }] })
    await push(ctx.app, s.pipelineId, { key: s.key, records: [{ id: 4 }, { id: 5 }] })
    const checkId = await addCheck(s, { checkType: 'completeness', config: { fields: ['id'] }, onFailure: 'pause' })
    const all = await ctx.app.inject({ method: 'POST', url: checksUrl(s, `/${checkId}/run`), headers: s.org.owner.headers })
    expect(all.statusCode).toBe(200)
    expect(all.json()).toMatchObject({ checkId, trigger: 'manual', passed: false, result: { rows: 5, passedRows: 4, failedRows: 1 } })
    expect((await pipelineStatus(s)).status).toBe('active')
    const newest = await ctx.app.inject({ method: 'POST', url: checksUrl(s, `/${checkId}/run?sampleSize=2`), headers: s.org.owner.headers })
    expect(newest.json()).toMatchObject({ passed: true, result: { rows: 2 } })
    const check = await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${checkId}`), headers: s.org.owner.headers })
    expect(check.json()).toMatchObject({ passed: true, result: { rows: 2 } })
    const results = await ctx.app.inject({ method: 'GET', url: checksUrl(s, `/${checkId}/results?limit=1`), headers: s.org.owner.headers })
    expect(results.json().results).toHaveLength(1)
    expect(results.json().results[0].id).toBe(newest.json().id)
    // Results are not changes someone made: no audit entries beyond the creation.
    expect(await auditActions(checkId)).toEqual(['INSERT'])
  })

  it("answers 404 for another pipeline's check and for a deleted pipeline, whose checks and results go with it", async () => {
    const s = await setup()
    const other = await createPipeline(ctx.app, s.org)
    const checkId = await addCheck(s, { checkType: 'completeness', config: { fields: ['id'] } })
    await push(ctx.app, s.pipelineId, { key: s.key, records: [{ id: 1 }] })
    const wrongPipeline = await ctx.app.inject({ method: 'GET', url: `/api/v1/orgs/${s.org.id}/pipelines/${other.id}/quality-checks/${checkId}`, headers: s.org.owner.headers })
    expect(wrongPipeline.statusCode).toBe(404)
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/orgs/${s.org.id}/pipelines/${s.pipelineId}`, headers: s.org.owner.headers })).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: checksUrl(s), headers: s.org.owner.headers })).statusCode).toBe(404)
    const { rows } = await ctx.admin.query('select (select count(*) from ingest.data_quality_checks where id = $1)::int as checks, (select count(*) from ingest.data_quality_results where check_id = $1)::int as results', [checkId])
    expect(rows[0]).toEqual({ checks: 0, results: 0 })
  })
})
