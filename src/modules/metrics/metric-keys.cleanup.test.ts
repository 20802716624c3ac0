import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { runTask } from '../../../test/jobs.ts'
import { bearer, createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'

/** metrics:idempotency-cleanup expires the metric points API's Idempotency-Keys after ingest.idempotency_ttl_hours. */

let ctx: TestContext

beforeAll(async () => {
  ctx = await createTestApp()
})
afterAll(async () => {
  await ctx.close()
})

interface Tenant {
  org: OrgFixture
  key: string
  metricId: string
}

async function tenant(): Promise<Tenant> {
  const org = await createOrg(ctx.app, await registerUser(ctx.app))
  const key = (await createApiKey(ctx.app, org, ['ingest'])).key
  const name = `keys.${Math.random().toString(36).slice(2, 8)}`
  const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name, displayName: name } })
  return { org, key, metricId: created.json().id }
}

/** One body for every push: a replay must send the same bytes. */
const AT = new Date(Date.now() - 60_000).toISOString()

function push(t: Tenant, idempotencyKey: string, value = 1) {
  return ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${t.org.id}/metrics/${t.metricId}/points`,
    headers: { ...bearer(t.key), 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    payload: JSON.stringify([{ timestamp: AT, value }]),
  })
}

const ageKey = (t: Tenant, key: string, hours: number) =>
  ctx.admin.query("update ts.metric_idempotency_keys set created_at = now() - make_interval(hours => $3) where organization_id = $1 and idempotency_key = $2", [t.org.id, key, hours])

async function keys(): Promise<string[]> {
  const { rows } = await ctx.admin.query<{ key: string }>("select idempotency_key as key from ts.metric_idempotency_keys where idempotency_key like 'cleanup-%' order by 1")
  return rows.map((row) => row.key)
}

async function pointCount(t: Tenant): Promise<number> {
  const { rows } = await ctx.admin.query<{ n: number }>('select count(*)::int as n from ts.time_series_data where metric_id = $1', [t.metricId])
  return rows[0]!.n
}

describe('metrics:idempotency-cleanup', () => {
  it('deletes keys older than the TTL in every organization and keeps the younger ones replaying', async () => {
    const a = await tenant()
    const b = await tenant()
    for (const [t, key] of [[a, 'cleanup-a-old'], [a, 'cleanup-a-new'], [b, 'cleanup-b-old']] as const) {
      expect((await push(t, key)).statusCode).toBe(200)
    }
    await ageKey(a, 'cleanup-a-old', 25)
    await ageKey(b, 'cleanup-b-old', 30)

    await runTask(ctx, 'metrics:idempotency-cleanup')

    expect(await keys()).toEqual(['cleanup-a-new'])
    const replay = await push(a, 'cleanup-a-new')
    expect(replay.headers['idempotent-replayed']).toBe('true')
    // An expired key is a new request: the batch is stored again.
    expect(await pointCount(a)).toBe(2)
    const again = await push(a, 'cleanup-a-old')
    expect(again.headers['idempotent-replayed']).toBeUndefined()
    expect(await pointCount(a)).toBe(3)
    const { rows } = await ctx.admin.query("select outcome, details from ops.maintenance_runs where job = 'metrics:idempotency-cleanup'")
    expect(rows).toEqual([{ outcome: 'succeeded', details: { deleted: 2 } }])
  })

  it('follows ingest.idempotency_ttl_hours', async () => {
    const t = await tenant()
    expect((await push(t, 'cleanup-ttl')).statusCode).toBe(200)
    await ageKey(t, 'cleanup-ttl', 3)
    await runTask(ctx, 'metrics:idempotency-cleanup')
    expect(await keys()).toContain('cleanup-ttl')

    await ctx.admin.query("update app.system_settings set setting_value = '2' where setting_key = 'ingest.idempotency_ttl_hours'")
    await runTask(ctx, 'metrics:idempotency-cleanup')
    expect(await keys()).not.toContain('cleanup-ttl')
  })

  it('cleans up through a SECURITY DEFINER function owned by tessera_definer with an empty search_path', async () => {
    const { rows } = await ctx.admin.query<{ owner: string; definer: boolean; config: string[] }>(
      `select pg_get_userbyid(p.proowner) as owner, p.prosecdef as definer, p.proconfig as config
         from pg_proc p where p.oid = 'private.cleanup_metric_idempotency_keys(timestamptz, integer)'::regprocedure`)
    expect(rows).toEqual([{ owner: 'tessera_definer', definer: true, config: ['search_path=""'] }])
  })
})
