import { AppError } from '../../platform/errors.ts'
import { fetchApiPages } from './api-source.ts'
import type { ApiConfig, SqlConfig } from './data-sources.config.ts'
import type { DataSourceForRun, FetchServices } from './fetch-source.ts'
import { inferJsonSchema } from './json-path.ts'
import { discoverSqlSource, testSqlSource } from './sql-source.ts'

/** "Test connection", discovery and the health check: the same probe, three uses. */

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown'

export interface CheckResult {
  ok: boolean
  latencyMs: number
  details: Record<string, unknown>
  error?: string
  health: HealthStatus
}

/** A check slower than this marks the source degraded. */
export const SLOW_CHECK_MS = 2_000
const API_SAMPLE = 100

function failure(error: unknown, started: number): CheckResult {
  const message = error instanceof AppError ? error.message : `Unexpected failure: ${(error as Error).message}`
  return { ok: false, latencyMs: Date.now() - started, details: {}, error: message, health: 'unhealthy' }
}

async function firstApiPage(services: FetchServices, config: ApiConfig, maxRecords?: number) {
  for await (const page of fetchApiPages(services, config, { maxRecords: maxRecords ?? API_SAMPLE, requestTimeoutMs: 15_000 })) {
    return page
  }
  throw new AppError('outbound_failed', 400, 'The API returned no page')
}

/** Tests the connection; never throws: failures come back as { ok: false, error }. */
export async function testConnection(services: FetchServices, source: DataSourceForRun): Promise<CheckResult> {
  const started = Date.now()
  try {
    let details: Record<string, unknown>
    switch (source.type) {
      case 'push':
        return { ok: true, latencyMs: 0, details: { message: 'Push sources receive data through the ingest API; there is nothing to connect to' }, health: 'unknown' }
      case 'postgresql':
      case 'mysql':
        details = await testSqlSource(source.type, source.config as SqlConfig)
        break
      case 'api': {
        const page = await firstApiPage(services, source.config as ApiConfig)
        details = { status: page.status, url: page.url, records: page.records.length, contentType: page.contentType, sizeBytes: page.sizeBytes }
        break
      }
      case 'csv':
        if (!source.file) {
          throw new AppError('validation_failed', 400, 'No file has been uploaded to this CSV source')
        }
        details = { file: source.file.name, rowCount: source.file.rowCount, columns: source.file.columns.length }
        break
      case 'mongodb':
      case 'bigquery':
        throw new AppError('validation_failed', 400, `${source.type} sources are not supported yet`)
    }
    const latencyMs = Date.now() - started
    return { ok: true, latencyMs, details, health: latencyMs > SLOW_CHECK_MS ? 'degraded' : 'healthy' }
  } catch (error) {
    return failure(error, started)
  }
}

/** What the source holds: tables and columns, or a JSON schema of its records. Throws on failure. */
export async function discoverSource(services: FetchServices, source: DataSourceForRun): Promise<Record<string, unknown>> {
  const discoveredAt = new Date().toISOString()
  switch (source.type) {
    case 'postgresql':
    case 'mysql':
      return { ...(await discoverSqlSource(source.type, source.config as SqlConfig)), discoveredAt }
    case 'api': {
      const page = await firstApiPage(services, source.config as ApiConfig)
      return { kind: 'json', schema: inferJsonSchema(page.records), sampleSize: page.records.length, discoveredAt }
    }
    case 'csv':
      if (!source.file) {
        throw new AppError('validation_failed', 400, 'No file has been uploaded to this CSV source')
      }
      return { kind: 'csv', columns: source.file.columns, rowCount: source.file.rowCount, discoveredAt }
    case 'push':
      return { kind: 'push', discoveredAt, message: 'Push sources have no schema until records arrive' }
    case 'mongodb':
    case 'bigquery':
      throw new AppError('validation_failed', 400, `${source.type} sources are not supported yet`)
  }
}

/**
 * Test, then discover when the test passed. Discovery failing after a good test is a
 * partial success: the source is degraded and the metadata records the error.
 */
export async function checkAndDiscover(services: FetchServices, source: DataSourceForRun): Promise<{ result: CheckResult; metadata: Record<string, unknown> | null }> {
  const result = await testConnection(services, source)
  if (!result.ok || source.type === 'push') {
    return { result, metadata: null }
  }
  try {
    return { result, metadata: await discoverSource(services, source) }
  } catch (error) {
    const message = error instanceof AppError ? error.message : (error as Error).message
    return { result: { ...result, health: 'degraded' }, metadata: { error: message, discoveredAt: new Date().toISOString() } }
  }
}
