import { describe, expect, it } from 'vitest'
import { check } from '../../lib/validate.ts'
import { MASK } from './api.ts'
import { apiConfig, apiDraftFrom, apiRules, EMPTY_API, EMPTY_SQL, sqlConfig, sqlDraftFrom, sqlRules } from './config.ts'

describe('data source config', () => {
  it('keeps saved secrets when their inputs stay empty', () => {
    const draft = apiDraftFrom({ url: 'https://api.example.com/x', method: 'GET', headers: { 'X-Api-Key': MASK, Accept: 'application/json' }, auth: { type: 'bearer', token: MASK }, pagination: { type: 'none' } })
    expect(draft.headers).toEqual([
      { key: 'X-Api-Key', value: '', saved: true },
      { key: 'Accept', value: 'application/json' },
    ])
    expect(() => check(apiRules(draft))).not.toThrow()
    expect(apiConfig(draft)).toEqual({ url: 'https://api.example.com/x', method: 'GET', headers: { 'X-Api-Key': MASK, Accept: 'application/json' }, auth: { type: 'bearer' }, pagination: { type: 'none' } })
  })

  it('needs the secret again when the auth type changes', () => {
    const draft = { ...apiDraftFrom({ url: 'https://api.example.com/x', auth: { type: 'bearer', token: MASK } }), authType: 'apiKey' as const, keyName: 'api_key', keyIn: 'query' as const }
    expect(() => check(apiRules(draft))).toThrow(expect.objectContaining({ fieldErrors: { 'config.auth.value': 'Enter the API key' } }) as Error)
  })

  it('builds the pagination the server expects', () => {
    const draft = { ...EMPTY_API, url: 'https://api.example.com/x', paginationType: 'cursor' as const, param: 'cursor', cursorPath: 'meta.next', maxPages: '20' }
    expect(apiConfig(draft).pagination).toEqual({ type: 'cursor', param: 'cursor', cursorPath: 'meta.next', maxPages: 20 })
  })

  it('omits an empty SQL password to keep it, and sends null to remove it', () => {
    const saved = sqlDraftFrom({ host: 'db', port: 5432, database: 'app', user: 'reader', password: MASK, sslMode: 'require' })
    expect(saved.savedPassword).toBe(true)
    expect(sqlConfig(saved)).toEqual({ host: 'db', port: 5432, database: 'app', user: 'reader', sslMode: 'require' })
    expect(sqlConfig({ ...saved, clearPassword: true })).toMatchObject({ password: null })
  })

  it('refuses a host with a scheme or port, like the server', () => {
    expect(() => check(sqlRules({ ...EMPTY_SQL, host: 'postgres://db:5432', database: 'a', user: 'b' }))).toThrow()
    expect(() => check(sqlRules({ ...EMPTY_SQL, host: '10.0.0.5', database: 'a', user: 'b' }))).not.toThrow()
    expect(() => check(sqlRules({ ...EMPTY_SQL, host: '::1', database: 'a', user: 'b' }))).not.toThrow()
  })
})
