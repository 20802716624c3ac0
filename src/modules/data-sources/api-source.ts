import { createHash } from 'node:crypto'
import { outboundFailed, safeFetch } from '../../platform/safe-fetch.ts'
import { isSensitiveHeader, type ApiConfig } from './data-sources.config.ts'
import { REDACTED, type FetchedPage, type FetchOptions, type FetchServices } from './fetch-source.ts'
import { getPath } from './json-path.ts'

/** HTTP JSON API sources: every request goes through safe-fetch (SSRF policy, pinned IP). */

const MAX_PAGE_BYTES = 50 * 1024 * 1024

interface PageRequest {
  url: URL
  headers: Record<string, string>
  shownUrl: string
  shownHeaders: Record<string, string>
}

function buildRequest(config: ApiConfig, params: Record<string, string>): PageRequest {
  const url = new URL(config.url)
  for (const [name, value] of Object.entries(params)) {
    url.searchParams.set(name, value)
  }
  const headers: Record<string, string> = { accept: 'application/json', ...config.headers }
  const secretHeaders = new Set(Object.keys(config.headers).filter(isSensitiveHeader).map((name) => name.toLowerCase()))
  const shown = new URL(url)
  switch (config.auth.type) {
    case 'none':
      break
    case 'bearer':
      headers.authorization = `Bearer ${config.auth.token}`
      break
    case 'basic':
      headers.authorization = `Basic ${Buffer.from(`${config.auth.username}:${config.auth.password}`).toString('base64')}`
      break
    case 'apiKey':
      if (config.auth.in === 'header') {
        headers[config.auth.name] = config.auth.value
        secretHeaders.add(config.auth.name.toLowerCase())
      } else {
        url.searchParams.set(config.auth.name, config.auth.value)
        shown.searchParams.set(config.auth.name, REDACTED)
      }
      break
  }
  if (config.method === 'POST') {
    headers['content-type'] = 'application/json'
  }
  const shownHeaders: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    shownHeaders[lower] = lower === 'authorization' || secretHeaders.has(lower) ? REDACTED : value
  }
  return { url, headers, shownUrl: shown.href, shownHeaders }
}

export function redactResponseHeaders(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    shown[name] = name === 'set-cookie' || name === 'www-authenticate' ? REDACTED : value
  }
  return shown
}

function extractRecords(config: ApiConfig, json: unknown, host: string): unknown[] {
  const found = getPath(json, config.recordsPath)
  if (Array.isArray(found)) {
    return found
  }
  if (config.recordsPath) {
    throw outboundFailed(`The response of ${host} has no array at recordsPath "${config.recordsPath}"`)
  }
  return found === null || found === undefined ? [] : [found]
}

/** Query parameters of page `index` (0-based) given the previous page's cursor. */
function paginationParams(config: ApiConfig, index: number, offset: number, cursor: string | undefined): Record<string, string> {
  const p = config.pagination
  switch (p.type) {
    case 'none':
      return {}
    case 'page':
      return { [p.param]: String(p.startPage + index), ...(p.sizeParam ? { [p.sizeParam]: String(p.size) } : {}) }
    case 'offset':
      return { [p.param]: String(offset), [p.limitParam]: String(p.limit) }
    case 'cursor':
      return cursor === undefined ? {} : { [p.param]: cursor }
  }
}

/** Fetches the pages of an API source until pagination ends, maxPages or maxRecords. */
export async function* fetchApiPages(services: FetchServices, config: ApiConfig, options: FetchOptions = {}): AsyncGenerator<FetchedPage> {
  const p = config.pagination
  const maxPages = p.type === 'none' ? 1 : p.maxPages
  let remaining = options.maxRecords ?? Number.POSITIVE_INFINITY
  let offset = 0
  let cursor: string | undefined
  const seenCursors = new Set<string>()
  for (let index = 0; index < maxPages && remaining > 0; index++) {
    const request = buildRequest(config, paginationParams(config, index, offset, cursor))
    const response = await safeFetch(services, request.url, {
      method: config.method,
      headers: request.headers,
      ...(config.method === 'POST' ? { body: JSON.stringify(config.body ?? {}) } : {}),
      failOnHttpError: true,
      maxBytes: MAX_PAGE_BYTES,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    })
    let json: unknown
    try {
      json = JSON.parse(response.body.toString('utf8'))
    } catch (error) {
      throw outboundFailed(`${request.url.host} did not answer JSON (content-type ${response.headers['content-type'] ?? 'none'}): ${(error as Error).message}`, error)
    }
    const all = extractRecords(config, json, request.url.host)
    const records = all.length > remaining ? all.slice(0, remaining) : all
    remaining -= records.length
    yield {
      name: `page ${index + 1}`,
      url: request.shownUrl,
      contentType: response.headers['content-type'] ?? 'application/json',
      sizeBytes: response.body.length,
      sha256: createHash('sha256').update(response.body).digest('hex'),
      records,
      status: response.status,
      responseMs: response.timing.totalMs,
      requestHeaders: request.shownHeaders,
      responseHeaders: redactResponseHeaders(response.headers),
    }
    if (all.length === 0) {
      return
    }
    if (p.type === 'page' && all.length < p.size) {
      return
    }
    if (p.type === 'offset') {
      offset += all.length
      if (all.length < p.limit) {
        return
      }
    }
    if (p.type === 'cursor') {
      const next = getPath(json, p.cursorPath)
      if (next === undefined || next === null || next === '' || next === false) {
        return
      }
      cursor = typeof next === 'string' ? next : JSON.stringify(next)
      // A server that hands back a cursor it already gave would loop until maxPages.
      if (seenCursors.has(cursor)) {
        return
      }
      seenCursors.add(cursor)
    }
  }
}
