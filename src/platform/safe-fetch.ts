import { lookup as dnsLookup } from 'node:dns/promises'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import zlib from 'node:zlib'
import { AppError } from './errors.ts'
import { classifyAddress, cidrContains, formatAddress, parseAddress, parseCidr, type Cidr, type ParsedAddress } from './safe-fetch-address.ts'

/**
 * The one HTTP client for every request Tessera makes to a URL a user gave (HTTP sources,
 * webhook sinks, …). Server-side request forgery defences:
 * - the host is resolved here (all addresses) and every address is classified; loopback,
 *   private, link-local, unique-local, CGNAT, multicast, reserved and cloud-metadata
 *   addresses are refused unless an administrator allowlisted them
 *   (system setting `security.outbound_allowlist`: CIDRs, IPs, host or host:port);
 * - the connection goes to the address that was checked (a lookup function that returns
 *   it), so a second DNS answer (rebinding) can't swap it;
 * - redirects are followed by hand, at most 5, each hop checked again; Authorization,
 *   Cookie and Proxy-Authorization are dropped once the origin changes;
 * - only http and https; a deadline over the whole exchange and a cap on the body size.
 */

export const ALLOWLIST_SETTING = 'security.outbound_allowlist'
export const MAX_REDIRECTS = 5
const ALLOW_HINT = `an administrator can allow it in Settings → ${ALLOWLIST_SETTING}`
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>

export interface SafeFetchOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** Deadline for the whole exchange, redirects included (default 30 s). */
  timeoutMs?: number
  /** Largest accepted (decoded) body in bytes (default 20 MiB). */
  maxBytes?: number
  /** At most 5. */
  maxRedirects?: number
  signal?: AbortSignal
  /** Turn a non-2xx final answer into outbound_failed (default false: the caller decides). */
  failOnHttpError?: boolean
  /** DNS resolution, replaceable in tests only. */
  lookup?: LookupAll
}

export interface SafeFetchResponse {
  status: number
  statusText: string
  headers: Record<string, string>
  body: Buffer
  /** The URL of the final answer, after redirects. */
  url: string
  redirects: string[]
  remoteAddress: string
  timing: { startedAt: Date; firstByteMs: number; totalMs: number }
}

export interface OutboundPolicy {
  cidrs: Array<Cidr & { port?: number }>
  hosts: Array<{ host: string; port?: number }>
}

interface SettingsReader {
  string(key: string, fallback: string): Promise<string>
}

/** Parses the allowlist; entries that mean nothing are ignored (the settings API validates writes). */
export function parseAllowlist(entries: unknown): OutboundPolicy {
  const policy: OutboundPolicy = { cidrs: [], hosts: [] }
  if (!Array.isArray(entries)) {
    return policy
  }
  for (const raw of entries) {
    if (typeof raw !== 'string' || raw.trim() === '') {
      continue
    }
    const entry = raw.trim().toLowerCase()
    const cidr = parseCidr(entry)
    if (cidr) {
      policy.cidrs.push(cidr)
      continue
    }
    // host:port, [v6]:port
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry)
    const host = match ? match[1]! : entry
    const port = match ? Number(match[2]) : undefined
    const address = parseAddress(host)
    if (address) {
      policy.cidrs.push({ address, bits: address.family === 4 ? 32 : 128, ...(port === undefined ? {} : { port }) })
    } else if (/^[a-z0-9._-]+$/.test(host)) {
      policy.hosts.push({ host: host.replace(/\.$/, ''), ...(port === undefined ? {} : { port }) })
    }
  }
  return policy
}

export async function loadOutboundPolicy(settings: SettingsReader): Promise<OutboundPolicy> {
  try {
    return parseAllowlist(JSON.parse(await settings.string(ALLOWLIST_SETTING, '[]')))
  } catch {
    return parseAllowlist([])
  }
}

const defaultPort = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80)
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '')

function isAllowedAddress(policy: OutboundPolicy, address: ParsedAddress, port: number): boolean {
  return policy.cidrs.some((cidr) => (cidr.port === undefined || cidr.port === port) && cidrContains(cidr, address))
}

function blocked(message: string): AppError {
  return new AppError('outbound_blocked', 400, message)
}

export function outboundFailed(message: string, cause?: unknown): AppError {
  return new AppError('outbound_failed', 400, message, { cause })
}

/**
 * Checks a URL against the policy and resolves it: the address to connect to, or
 * outbound_blocked naming the host and the reason.
 */
export async function resolveOutbound(policy: OutboundPolicy, url: URL, lookup: LookupAll = defaultLookup): Promise<ParsedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw blocked(`Only http and https URLs are allowed, not ${url.protocol.replace(/:$/, '')}`)
  }
  if (url.username || url.password) {
    throw blocked('URLs with a user name or password are not allowed; use the authentication settings instead')
  }
  const host = hostOf(url)
  const port = defaultPort(url)
  const hostAllowed = policy.hosts.some((entry) => entry.host === host && (entry.port === undefined || entry.port === port))
  // The WHATWG URL parser already normalized decimal, octal and hex IPv4 hosts to dotted form.
  const literal = parseAddress(host)
  let addresses: ParsedAddress[]
  if (literal) {
    addresses = [literal]
  } else {
    let answers: Array<{ address: string; family: number }>
    try {
      answers = await lookup(host)
    } catch (error) {
      throw outboundFailed(`DNS lookup of ${host} failed (${(error as { code?: string }).code ?? (error as Error).message})`, error)
    }
    addresses = answers.map((answer) => parseAddress(answer.address)).filter((a): a is ParsedAddress => a !== undefined)
    if (addresses.length === 0) {
      throw outboundFailed(`DNS lookup of ${host} returned no address`)
    }
  }
  if (!hostAllowed) {
    // Every answer must pass: otherwise the one used could be the bad one.
    for (const address of addresses) {
      const kind = classifyAddress(address)
      if (kind !== 'public' && !isAllowedAddress(policy, address, port)) {
        const shown = formatAddress(address)
        const article = kind === 'unspecified' ? 'an' : 'a'
        throw blocked(
          literal ? `${host} is ${article} ${kind} address; ${ALLOW_HINT}` : `${host} resolves to ${shown}, ${article} ${kind} address; ${ALLOW_HINT}`,
        )
      }
    }
  }
  return addresses[0]!
}

async function defaultLookup(hostname: string): Promise<Array<{ address: string; family: number }>> {
  return dnsLookup(hostname, { all: true, verbatim: true })
}

/** A lookup that only ever answers the address already checked: the connection is pinned. */
function pinnedLookup(address: ParsedAddress): LookupFunction {
  const text = formatAddress(address)
  return (_hostname, options, callback) => {
    if (options.all) {
      ;(callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: text, family: address.family }])
    } else {
      callback(null, text, address.family)
    }
  }
}

function describeNetworkError(error: unknown, url: URL, timeoutMs: number, timedOut: boolean): AppError {
  const code = (error as { code?: string }).code ?? ''
  const host = url.host
  if (timedOut) {
    return outboundFailed(`Request to ${host} timed out after ${timeoutMs} ms`, error)
  }
  if (code === 'ECONNREFUSED') {
    return outboundFailed(`Connection to ${host} refused`, error)
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return outboundFailed(`Connection to ${host} was reset`, error)
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return outboundFailed(`${host} is unreachable (${code})`, error)
  }
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code) || /SSL|TLS|certificate/i.test((error as Error).message)) {
    return outboundFailed(`TLS error with ${host}: ${(error as Error).message}`, error)
  }
  if (code === 'ABORT_ERR' || (error as Error).name === 'AbortError') {
    return outboundFailed(`Request to ${host} was cancelled`, error)
  }
  return outboundFailed(`Request to ${host} failed: ${(error as Error).message}${code ? ` (${code})` : ''}`, error)
}

function flattenHeaders(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
  }
  return headers
}

interface Hop {
  response: IncomingMessage
  firstByteMs: number
}

function sendOnce(url: URL, address: ParsedAddress, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal, startedAt: number): Promise<Hop> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise<Hop>((resolve, reject) => {
    const request = client.request(url, {
      method,
      headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      lookup: pinnedLookup(address),
      agent: false,
      signal,
    })
    request.on('response', (response) => resolve({ response, firstByteMs: Date.now() - startedAt }))
    request.on('error', reject)
    request.end(body)
  })
}

async function readBody(response: IncomingMessage, maxBytes: number, host: string): Promise<Buffer> {
  const encoding = (response.headers['content-encoding'] ?? '').toLowerCase()
  const stream =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? response.pipe(zlib.createGunzip())
      : encoding === 'deflate'
        ? response.pipe(zlib.createInflate())
        : encoding === 'br'
          ? response.pipe(zlib.createBrotliDecompress())
          : response
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length
      if (size > maxBytes) {
        response.destroy()
        throw outboundFailed(`The response from ${host} is larger than ${maxBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (error instanceof AppError) {
      throw error
    }
    throw outboundFailed(`Reading the response from ${host} failed: ${(error as Error).message}`, error)
  }
  return Buffer.concat(chunks)
}

const sameOrigin = (a: URL, b: URL) => a.protocol === b.protocol && a.hostname === b.hostname && defaultPort(a) === defaultPort(b)

/**
 * Fetches a URL under the outbound policy. Blocked targets raise outbound_blocked, network
 * failures outbound_failed (with the exact reason); non-2xx answers are returned unless
 * failOnHttpError is set.
 */
export async function safeFetch(services: { settings: SettingsReader }, target: string | URL, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
  const policy = await loadOutboundPolicy(services.settings)
  return safeFetchWithPolicy(policy, target, options)
}

export async function safeFetchWithPolicy(policy: OutboundPolicy, target: string | URL, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const maxBytes = options.maxBytes ?? 20 * 1024 * 1024
  const maxRedirects = Math.min(options.maxRedirects ?? MAX_REDIRECTS, MAX_REDIRECTS)
  const startedAt = Date.now()
  let url: URL
  try {
    url = new URL(target)
  } catch (error) {
    throw new AppError('validation_failed', 400, `Not a valid URL: ${String(target).slice(0, 200)}`, { cause: error })
  }
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline
  let method = (options.method ?? 'GET').toUpperCase()
  let body = options.body === undefined ? undefined : Buffer.from(options.body)
  const headers: Record<string, string> = { 'user-agent': 'Tessera', 'accept-encoding': 'gzip, deflate, br' }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value
  }
  const redirects: string[] = []
  for (;;) {
    const address = await resolveOutbound(policy, url, options.lookup)
    if (signal.aborted) {
      throw describeNetworkError(signal.reason, url, timeoutMs, deadline.aborted)
    }
    let hop: Hop
    try {
      hop = await sendOnce(url, address, method, headers, body, signal, startedAt)
    } catch (error) {
      throw describeNetworkError(error, url, timeoutMs, deadline.aborted)
    }
    const { response } = hop
    const status = response.statusCode ?? 0
    const location = response.headers.location
    if ([301, 302, 303, 307, 308].includes(status) && location) {
      response.resume()
      if (redirects.length >= maxRedirects) {
        throw outboundFailed(`Too many redirects (more than ${maxRedirects}) starting at ${redirects[0] ?? url.href}`)
      }
      let next: URL
      try {
        next = new URL(location, url)
      } catch (error) {
        throw outboundFailed(`${url.host} redirected to an invalid URL`, error)
      }
      if (!sameOrigin(url, next)) {
        for (const name of CREDENTIAL_HEADERS) {
          delete headers[name]
        }
      }
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
        delete headers['content-type']
      }
      redirects.push(url.href)
      url = next
      continue
    }
    let buffer: Buffer
    try {
      buffer = await readBody(response, maxBytes, url.host)
    } catch (error) {
      throw deadline.aborted ? describeNetworkError(error, url, timeoutMs, true) : error
    }
    if (options.failOnHttpError && (status < 200 || status > 299)) {
      throw outboundFailed(`${url.host} answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}: ${buffer.toString('utf8', 0, 200)}`)
    }
    return {
      status,
      statusText: response.statusMessage ?? '',
      headers: flattenHeaders(response),
      body: buffer,
      url: url.href,
      redirects,
      remoteAddress: formatAddress(address),
      timing: { startedAt: new Date(startedAt), firstByteMs: hop.firstByteMs, totalMs: Date.now() - startedAt },
    }
  }
}
