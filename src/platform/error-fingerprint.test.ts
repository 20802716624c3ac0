import { describe, expect, it } from 'vitest'
import { categorize, describeError, errorFingerprint, normalizeMessage, redactContext, scrubSecrets, topFrames } from './error-fingerprint.ts'
import { AppError } from './errors.ts'

describe(normalizeMessage.name, () => {
  it('replaces uuids, quoted literals, long hex strings and numbers', () => {
    expect(normalizeMessage('Pipeline 3f2b8c1e-1d2a-4b5c-8d9e-0123456789ab failed after 42 records on "orders" (0xdeadbeef99)'))
      .toBe('Pipeline <uuid> failed after <n> records on <str> (<hex>)')
    expect(normalizeMessage("value 'a b' and `c` and 3.5")).toBe('value <str> and <str> and <n>')
  })
})

describe(topFrames.name, () => {
  it("keeps the first three of Tessera's own frames, without line, column or install directory", () => {
    const stack = [
      'error: relation "x" does not exist',
      `    at ${process.cwd()}/node_modules/pg/lib/client.js:694:17`,
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at async PostgresConnection.executeQuery (file://${process.cwd()}/node_modules/kysely/dist/esm/postgres-driver.js:95:49)`,
      `    at loadPipeline (${process.cwd()}/src/modules/pipelines/pipelines.repository.ts:120:15)`,
      `    at async run (file://${process.cwd()}/src/modules/workflows/run.ts:33:7)`,
      '    at another (/x/y.ts:1:1)',
      '    at last (/x/z.ts:1:1)',
    ].join('\n')
    expect(topFrames(stack)).toEqual([
      'loadPipeline (/src/modules/pipelines/pipelines.repository.ts)',
      'async run (/src/modules/workflows/run.ts)',
      'another (/x/y.ts)',
    ])
  })

  it('falls back to library frames when the stack has none of its own', () => {
    expect(topFrames('Error: x\n    at /app/node_modules/pg/lib/client.js:1:2\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)'))
      .toEqual(['/app/node_modules/pg/lib/client.js', 'processTicksAndRejections (node:internal/process/task_queues)'])
  })
})

describe(errorFingerprint.name, () => {
  it('is equal for occurrences that differ by ids and line numbers, different for another code or place', () => {
    const at = (line: number, fn = 'load') => `Error: x\n    at ${fn} (/app/src/a.ts:${line}:3)\n    at main (/app/src/b.ts:9:1)`
    const a = errorFingerprint('E1', 'Order 17 not found', at(10))
    expect(errorFingerprint('E1', 'Order 99 not found', at(12))).toBe(a)
    expect(errorFingerprint('E2', 'Order 17 not found', at(10))).not.toBe(a)
    expect(errorFingerprint('E1', 'Order 17 not found', at(10, 'save'))).not.toBe(a)
    expect(errorFingerprint('E1', 'Customer 17 not found', at(10))).not.toBe(a)
  })
})

describe(scrubSecrets.name, () => {
  it('removes API keys, bearer tokens, URL passwords and key=value secrets', () => {
    expect(scrubSecrets('key tsk_AbC123_x, header Bearer eyJhbGciOi.x.y, url https://u:p4ss@host/db, password=hunter2&x=1'))
      .toBe('key tsk_[redacted], header Bearer [redacted], url https://u:[redacted]@host/db, password=[redacted]&x=1')
  })
})

describe(redactContext.name, () => {
  it('redacts values under secret-looking keys at any depth and bounds the size', () => {
    const out = redactContext({ query: { token: 'abc', page: 1 }, headers: { Authorization: 'Bearer x', Cookie: 's=1' }, list: Array.from({ length: 30 }, (_, i) => i) }) as Record<string, unknown>
    expect(out).toMatchObject({ query: { token: '[redacted]', page: 1 }, headers: { Authorization: '[redacted]', Cookie: '[redacted]' } })
    expect((out.list as unknown[]).length).toBe(20)
  })
})

describe(categorize.name, () => {
  it('derives the category from the error', () => {
    expect(categorize(Object.assign(new Error('relation "x" does not exist'), { code: '42P01', severity: 'ERROR' }), 'http')).toBe('database')
    expect(categorize(new AppError('outbound_failed', 502, 'The peer did not answer'), 'http')).toBe('external_api')
    expect(categorize(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }), 'job')).toBe('external_api')
    expect(categorize(new AppError('query_timeout', 504, 'The query ran too long'), 'http')).toBe('timeout')
    expect(categorize(new Error('boom'), 'job')).toBe('job')
    expect(categorize(new Error('boom'), 'http')).toBe('internal')
  })
})

describe(describeError.name, () => {
  it('describes non-Error throws and keeps the cause of an AppError', () => {
    expect(describeError('plain string')).toMatchObject({ code: 'Error', message: 'plain string', stack: null })
    const wrapped = new AppError('service_unavailable', 503, 'Try again later', { cause: Object.assign(new Error('pool exhausted'), { code: 'E_POOL' }) })
    const described = describeError(wrapped)
    expect(described).toMatchObject({ code: 'service_unavailable', cause: { message: 'pool exhausted', code: 'E_POOL' } })
    expect(described.stack).toContain('Caused by: Error: pool exhausted')
  })
})
