import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, registerUser, type TestContext } from '../../../test/app.ts'
import { createPipeline, push } from '../../../test/ingest.ts'
import { createApiKey, createOrg, type OrgFixture } from '../../../test/tenancy.ts'
import { withContext } from '../../platform/db.ts'
import { insertPipelineRows } from '../ingest/pipeline-rows.ts'
import { merge } from './live.routes.ts'

/** GET /orgs/:orgId/live: Server-Sent Events driven by ingest commits (LISTEN/NOTIFY). */

let ctx: TestContext
let base: string
let org: OrgFixture
let other: OrgFixture

beforeAll(async () => {
  ctx = await createTestApp()
  await ctx.app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`
  org = await createOrg(ctx.app, await registerUser(ctx.app))
  other = await createOrg(ctx.app, await registerUser(ctx.app))
})
afterAll(async () => {
  await ctx?.close()
})

/** Opens a stream and collects its events until `until` is satisfied or `ms` pass. */
async function stream(orgId: string, headers: Record<string, string>) {
  const controller = new AbortController()
  const response = await fetch(`${base}/api/v1/orgs/${orgId}/live`, { headers, signal: controller.signal })
  const events: Array<{ event: string; data: unknown }> = []
  let buffer = ''
  const reading = (async () => {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event && data) events.push({ event, data: JSON.parse(data) })
        }
      }
    } catch {
      // aborted
    }
  })()
  const waitFor = async (test: () => boolean, ms: number) => {
    const deadline = Date.now() + ms
    while (!test() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return test()
  }
  return { response, events, waitFor, close: async () => { controller.abort(); await reading } }
}

describe('GET /orgs/:orgId/live', () => {
  it('pushes the metric and the time range of a committed batch to the organization, within the 2 seconds the issue allows', async () => {
    const metric = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics`, headers: org.owner.headers, payload: { name: 'live.orders', displayName: 'Orders' } })
    const metricId = metric.json().id as string
    const live = await stream(org.id, { cookie: org.owner.cookie })
    const otherLive = await stream(other.id, { cookie: other.owner.cookie })
    try {
      expect(live.response.status).toBe(200)
      expect(live.response.headers.get('content-type')).toContain('text/event-stream')
      expect(await live.waitFor(() => live.events.some((e) => e.event === 'ready'), 5_000)).toBe(true)
      const at = new Date(Date.now() - 60_000).toISOString()
      const pushed = await ctx.app.inject({ method: 'POST', url: `/api/v1/orgs/${org.id}/metrics/${metricId}/points`, headers: org.owner.headers, payload: [{ timestamp: at, value: 3 }] })
      expect(pushed.statusCode).toBe(200)
      // The acceptance bound: an invalidation within 2 seconds of the commit.
      expect(await live.waitFor(() => live.events.some((e) => e.event === 'data'), 2_000)).toBe(true)
      expect(live.events.find((e) => e.event === 'data')!.data).toEqual({ metrics: [{ id: metricId, from: at, to: at }], pipelines: [], all: [] })
      // Another organization's stream hears nothing of it.
      expect(otherLive.events.filter((e) => e.event === 'data')).toEqual([])
    } finally {
      await live.close()
      await otherLive.close()
    }
  })

  it('announces pipeline batches to an API-key stream, and nothing for a rolled-back batch', async () => {
    const key = (await createApiKey(ctx.app, org, ['ingest', 'read'])).key
    const pipelineId = (await createPipeline(ctx.app, org)).id
    const live = await stream(org.id, { authorization: `Bearer ${key}` })
    try {
      expect(await live.waitFor(() => live.events.some((e) => e.event === 'ready'), 5_000)).toBe(true)
      // A batch whose transaction rolls back announces nothing (NOTIFY is delivered on commit).
      await expect(withContext(ctx.services.db, { userId: org.owner.userId, orgId: org.id }, async (trx) => {
        await insertPipelineRows(trx, { orgId: org.id, pipelineId, jobId: randomUUID(), documents: '[{"a":0}]', recordTimes: null })
        throw new Error('rolled back')
      })).rejects.toThrow('rolled back')
      expect((await push(ctx.app, pipelineId, { key, records: [{ a: 1 }] })).statusCode).toBe(200)
      expect(await live.waitFor(() => live.events.some((e) => e.event === 'data'), 2_000)).toBe(true)
      expect(live.events.filter((e) => e.event === 'data').map((e) => e.data)).toEqual([{ metrics: [], pipelines: [pipelineId], all: [] }])
    } finally {
      await live.close()
    }
  })

  it("answers 404 for another organization's stream and 401 without credentials", async () => {
    expect((await fetch(`${base}/api/v1/orgs/${org.id}/live`, { headers: { cookie: other.owner.cookie } })).status).toBe(404)
    expect((await fetch(`${base}/api/v1/orgs/${org.id}/live`)).status).toBe(401)
  })
})

describe('merge', () => {
  it('merges a burst into one message: time ranges united per metric, pipelines once, "all" when ids were left out', () => {
    expect(merge([
      { orgId: 'o', kind: 'metric', ids: ['m1'], from: '2026-01-01T02:00:00.000Z', to: '2026-01-01T03:00:00.000Z' },
      { orgId: 'o', kind: 'metric', ids: ['m1', 'm2'], from: '2026-01-01T01:00:00.000Z', to: '2026-01-01T02:30:00.000Z' },
      { orgId: 'o', kind: 'pipeline', ids: ['p1'] },
      { orgId: 'o', kind: 'pipeline', ids: ['p1'] },
      { orgId: 'o', kind: 'metric' },
    ])).toEqual({
      metrics: [
        { id: 'm1', from: '2026-01-01T01:00:00.000Z', to: '2026-01-01T03:00:00.000Z' },
        { id: 'm2', from: '2026-01-01T01:00:00.000Z', to: '2026-01-01T02:30:00.000Z' },
      ],
      pipelines: ['p1'],
      all: ['metric'],
    })
  })
})
