import { describe, expect, it } from 'vitest'
import { isLogged, parseTraceparent } from './request-logs.capture.ts'
import { CUT, REDACTED, redactedCopy, redactedPath } from './request-logs.redact.ts'

describe(redactedCopy.name, () => {
  it('replaces the values of secret-looking keys at any depth and keeps the rest', () => {
    const body = {
      email: 'a@example.com',
      password: 'hunter2',
      newPassword: 'hunter3',
      profile: { apiKey: 'tsk_1', api_key: 'tsk_2', privateKey: 'pk', keep: [1, { client_secret: 's', name: 'n' }] },
      Authorization: 'Bearer x',
      csrfToken: 't',
      key: 'metric.key',
    }
    expect(redactedCopy(body, 10_000)).toEqual({
      truncated: false,
      value: {
        email: 'a@example.com',
        password: REDACTED,
        newPassword: REDACTED,
        profile: { apiKey: REDACTED, api_key: REDACTED, privateKey: REDACTED, keep: [1, { client_secret: REDACTED, name: 'n' }] },
        Authorization: REDACTED,
        csrfToken: REDACTED,
        key: 'metric.key',
      },
    })
    // The original is untouched.
    expect(body.password).toBe('hunter2')
  })

  it('cuts a large body to about the budget, marking where, however large the input', () => {
    const records = Array.from({ length: 200_000 }, (_, i) => ({ id: i, text: 'y'.repeat(40) }))
    const started = performance.now()
    const { value, truncated } = redactedCopy({ first: 'kept', records }, 500)
    // Bounded by the budget, not by the 200,000 records.
    expect(performance.now() - started).toBeLessThan(50)
    expect(truncated).toBe(true)
    const json = JSON.stringify(value)
    expect(json.length).toBeLessThan(800)
    expect((value as { first: string }).first).toBe('kept')
    expect((value as { records: unknown[] }).records.at(-1)).toBe(`${CUT} truncated`)
  })

  it('cuts long strings, wide objects and deep nesting', () => {
    expect(redactedCopy('z'.repeat(100), 10)).toEqual({ value: `${'z'.repeat(10)}${CUT}`, truncated: true })
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]))
    const cut = redactedCopy(wide, 100).value as Record<string, unknown>
    expect(cut[CUT]).toBe('truncated')
    expect(Object.keys(cut).length).toBeLessThan(50)
    let deep: unknown = 'bottom'
    for (let i = 0; i < 100; i++) {
      deep = { down: deep }
    }
    expect(JSON.stringify(redactedCopy(deep, 100_000).value)).toContain(CUT)
  })

  it('describes binary bodies instead of copying them', () => {
    expect(redactedCopy(Buffer.alloc(1234), 100).value).toEqual({ binary: true, bytes: 1234 })
  })
})

describe(redactedPath.name, () => {
  it('hides the values of secret path parameters (embed tokens, webhook secrets)', () => {
    expect(redactedPath('/api/v1/hooks/p-1/s%2Fcr%C3%A9t', { pipelineId: 'p-1', secret: 's/crét' })).toBe(`/api/v1/hooks/p-1/${REDACTED}`)
    expect(redactedPath('/api/v1/embed/abc.def', { token: 'abc.def' })).toBe(`/api/v1/embed/${REDACTED}`)
    expect(redactedPath('/api/v1/orgs/o-1', { orgId: 'o-1' })).toBe('/api/v1/orgs/o-1')
  })
})

describe(parseTraceparent.name, () => {
  it('reads the trace and parent span ids of a W3C traceparent and ignores invalid ones', () => {
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' })
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeNull()
    expect(parseTraceparent('00-abc-def-01')).toBeNull()
    expect(parseTraceparent(undefined)).toBeNull()
  })
})

describe(isLogged.name, () => {
  it('logs the API and MCP, not health checks, metrics, API docs or static files', () => {
    expect(isLogged('/api/v1/me')).toBe(true)
    expect(isLogged('/api/openapi.json')).toBe(true)
    expect(isLogged('/mcp')).toBe(true)
    expect(isLogged('/api/health')).toBe(false)
    expect(isLogged('/api/health?full=1')).toBe(false)
    expect(isLogged('/api/docs/static/index.html')).toBe(false)
    expect(isLogged('/metrics')).toBe(false)
    expect(isLogged('/assets/index-abc.js')).toBe(false)
    expect(isLogged('/')).toBe(false)
  })
})
