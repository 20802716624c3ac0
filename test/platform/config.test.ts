import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'

const GOOD_SECRET = 'a'.repeat(32)
const homes: string[] = []

function tempHome(): string {
  const home = mkdtempSync(path.join(tmpdir(), 'tessera-config-'))
  homes.push(home)
  return home
}

afterAll(() => {
  for (const home of homes) {
    rmSync(home, { recursive: true, force: true })
  }
})

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems
    }
    throw error
  }
  throw new Error('loadConfig accepted the configuration')
}

describe('loadConfig', () => {
  it('lists every problem of a production configuration at once', () => {
    const problems = problemsOf({ NODE_ENV: 'production' })
    expect(problems).toHaveLength(2)
    expect(problems.some((p) => p.startsWith('TESSERA_SECRET_KEY is required'))).toBe(true)
    expect(problems.some((p) => p.startsWith('PUBLIC_URL is required'))).toBe(true)
  })

  it('puts every problem in the error message', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PORT: 'abc' })).toThrow(/PORT must be a port number[\s\S]*PUBLIC_URL is required[\s\S]*TESSERA_SECRET_KEY is required/)
  })

  it('refuses a secret shorter than 32 bytes', () => {
    expect(problemsOf({ NODE_ENV: 'production', PUBLIC_URL: 'https://tessera.example.com', TESSERA_SECRET_KEY: 'b'.repeat(31) })).toEqual([
      'TESSERA_SECRET_KEY must be at least 32 bytes (got 31)',
    ])
    expect(problemsOf({ NODE_ENV: 'development', TESSERA_SECRET_KEY: 'b'.repeat(31) })).toEqual(['TESSERA_SECRET_KEY must be at least 32 bytes (got 31)'])
  })

  it('refuses a well-known default secret', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PUBLIC_URL: 'https://tessera.example.com', TESSERA_SECRET_KEY: 'changeme' })
    expect(problems).toEqual(['TESSERA_SECRET_KEY is a well-known default value; generate a random one'])
  })

  it('accepts a complete production configuration', () => {
    const config = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://tessera.example.com/', TESSERA_SECRET_KEY: GOOD_SECRET })
    expect(config).toMatchObject({ isProduction: true, publicUrl: 'https://tessera.example.com', host: '0.0.0.0' })
    expect(config.secretKey.toString('utf8')).toBe(GOOD_SECRET)
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('generates a development secret in TESSERA_HOME and keeps it across loads', () => {
    const home = tempHome()
    const first = loadConfig({ NODE_ENV: 'development', TESSERA_HOME: home })
    const file = path.join(home, 'secret-key')
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secretKey.toString('utf8'))
    expect(first.secretKey.length).toBeGreaterThanOrEqual(32)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = loadConfig({ NODE_ENV: 'development', TESSERA_HOME: home })
    expect(second.secretKey.equals(first.secretKey)).toBe(true)
    const other = loadConfig({ NODE_ENV: 'development', TESSERA_HOME: tempHome() })
    expect(other.secretKey.equals(first.secretKey)).toBe(false)
  })
})
