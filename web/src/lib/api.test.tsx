// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, normalizeField, parseApiError, setCsrfToken } from './api.ts'

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

afterEach(() => {
  vi.unstubAllGlobals()
  setCsrfToken(undefined)
})

describe(parseApiError.name, () => {
  it('maps details[].field to the form field names', () => {
    const error = parseApiError(400, {
      error: {
        code: 'validation_failed',
        message: 'body.email must match format "email"',
        details: [
          { field: 'body.email', message: 'must match format "email"' },
          { field: 'body.scopes.0', message: 'must be equal to one of the allowed values' },
          { field: 'value', message: 'must be at least 8' },
        ],
      },
    })
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(400)
    expect(error.code).toBe('validation_failed')
    expect(error.message).toBe('body.email must match format "email"')
    expect(error.fieldErrors).toEqual({
      email: 'must match format "email"',
      scopes: 'must be equal to one of the allowed values',
      value: 'must be at least 8',
    })
  })

  it('keeps the first message when a field is reported twice', () => {
    const error = parseApiError(400, {
      error: { code: 'validation_failed', message: 'x', details: [{ field: 'body.slug', message: 'first' }, { field: 'body.slug', message: 'second' }] },
    })
    expect(error.fieldErrors).toEqual({ slug: 'first' })
  })

  it('has no field errors for an error without details', () => {
    const error = parseApiError(409, { error: { code: 'setup_completed', message: 'This instance is already set up; sign in instead' } })
    expect(error.code).toBe('setup_completed')
    expect(error.hasFieldErrors).toBe(false)
  })

  it('survives bodies that are not the API error shape', () => {
    expect(parseApiError(502, undefined).code).toBe('server_error')
    expect(parseApiError(502, undefined).message).toMatch(/server/i)
    expect(parseApiError(404, { message: 'nope' }).code).toBe('http_404')
    expect(parseApiError(400, { error: { code: 'bad', message: 'Bad', details: 'not a list' } }).fieldErrors).toEqual({})
  })
})

describe(normalizeField.name, () => {
  it('strips the request part and keeps the top-level field', () => {
    expect(normalizeField('body.email')).toBe('email')
    expect(normalizeField('querystring.from')).toBe('from')
    expect(normalizeField('/name')).toBe('name')
    expect(normalizeField('setupToken')).toBe('setupToken')
    expect(normalizeField('body')).toBe('body')
  })
})

describe('api client', () => {
  it('sends both CSRF headers on state-changing requests and none on GET', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, { ok: true }))
    vi.stubGlobal('fetch', fetchMock)
    setCsrfToken('token-123')
    await api.post('/orgs', { name: 'Acme' })
    await api.get('/orgs', { limit: 5, cursor: undefined })
    const [postUrl, postInit] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(postUrl).toBe('/api/v1/orgs')
    expect(postInit.headers).toMatchObject({ 'x-csrf-token': 'token-123', 'x-requested-with': 'XMLHttpRequest', 'content-type': 'application/json' })
    expect(postInit.body).toBe('{"name":"Acme"}')
    const [getUrl, getInit] = fetchMock.mock.calls[1] as unknown as [string, RequestInit]
    expect(getUrl).toBe('/api/v1/orgs?limit=5')
    expect(getInit.headers).not.toHaveProperty('x-csrf-token')
  })

  it('throws an ApiError with field errors for an error response', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(409, { error: { code: 'email_taken', message: 'An account with this email exists', details: [{ field: 'email', message: 'is already registered' }] } })))
    const failure = await api.post('/setup', {}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).fieldErrors).toEqual({ email: 'is already registered' })
  })

  it('reports an unreachable server as network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    const failure = await api.get('/me').catch((error: unknown) => error)
    expect((failure as ApiError).code).toBe('network_error')
  })

  it('answers undefined for 204 No Content', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })))
    await expect(api.delete('/orgs/1/api-keys/2')).resolves.toBeUndefined()
  })
})
