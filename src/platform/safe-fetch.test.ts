import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendJson, startHttpPeer, type HttpPeer } from '../../test/http-peer.ts'
import { AppError } from './errors.ts'
import { parseAllowlist, safeFetch, safeFetchWithPolicy, type SafeFetchOptions } from './safe-fetch.ts'

let peer: HttpPeer
let other: HttpPeer
let second: HttpPeer

beforeAll(async () => {
  peer = await startHttpPeer((request, response, body) => {
    const url = new URL(request.url ?? '/', 'http://x')
    const hops = Number(url.searchParams.get('hops') ?? 0)
    switch (url.pathname) {
      case '/json':
        return sendJson(response, 200, { hello: 'world', method: request.method, body })
      case '/gzip':
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        return response.end(gzipSync(JSON.stringify({ zipped: true })))
      case '/big':
        response.writeHead(200, { 'content-type': 'text/plain' })
        return response.end('x'.repeat(10_000))
      case '/fail':
        return sendJson(response, 500, { error: 'boom' })
      case '/hang':
        return undefined // never answers
      case '/chain':
        response.writeHead(302, { location: hops > 1 ? `/chain?hops=${hops - 1}` : '/json' })
        return response.end()
      case '/see-other':
        response.writeHead(303, { location: '/json' })
        return response.end()
      case '/same-origin':
        response.writeHead(302, { location: `${peer.url}/json` })
        return response.end()
      case '/to-other':
        response.writeHead(307, { location: `${other.url}/echo` })
        return response.end()
      case '/to-127.0.0.2':
        response.writeHead(302, { location: `${second.url}/json` })
        return response.end()
      case '/to-metadata':
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' })
        return response.end()
      default:
        return sendJson(response, 404, { error: 'not found' })
    }
  })
  other = await startHttpPeer((_request, response) => sendJson(response, 200, { other: true }))
  second = await startHttpPeer((_request, response) => sendJson(response, 200, { second: true }), '127.0.0.2')
})
afterAll(async () => {
  await Promise.all([peer?.close(), other?.close(), second?.close()])
})

const loopbackOnly = parseAllowlist(['127.0.0.1'])
const nothingAllowed = parseAllowlist([])

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) {
      return error
    }
    throw error
  }
  throw new Error('expected the request to fail')
}

describe('safeFetch: refused targets', () => {
  it.each([
    ['http://127.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://10.0.0.1/', '10.0.0.1 is a private address'],
    ['http://172.20.1.1:8080/', '172.20.1.1 is a private address'],
    ['http://192.168.0.10/', '192.168.0.10 is a private address'],
    ['http://100.64.1.1/', '100.64.1.1 is a carrier-grade NAT address'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a cloud metadata address'],
    ['http://169.254.10.10/', '169.254.10.10 is a link-local address'],
    ['http://[::1]/', '::1 is a loopback address'],
    ['http://[::]/', ':: is an unspecified address'],
    ['http://0.0.0.0/', '0.0.0.0 is an unspecified address'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is a loopback address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['http://[fc00::1]/', 'fc00::1 is a unique-local address'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/', '127.0.0.1 is a loopback address'],
    ['http://224.0.0.1/', '224.0.0.1 is a multicast address'],
  ])('refuses %s', async (url, reason) => {
    const error = await failure(safeFetchWithPolicy(nothingAllowed, url))
    expect(error.code).toBe('outbound_blocked')
    expect(error.statusCode).toBe(400)
    expect(error.message).toBe(`${reason}; an administrator can allow it in Settings → security.outbound_allowlist`)
  })

  it('refuses a host name that resolves to loopback, naming the name and the address', async () => {
    const error = await failure(safeFetchWithPolicy(nothingAllowed, `http://localhost:${peer.port}/json`))
    expect(error.code).toBe('outbound_blocked')
    expect(error.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address; an administrator can allow it/)
  })

  it('refuses a name when any of its addresses is private (the one used could be the bad one)', async () => {
    const lookup = async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.1.2.3', family: 4 }]
    const error = await failure(safeFetchWithPolicy(nothingAllowed, 'http://mixed.example/', { lookup }))
    expect(error.message).toMatch(/^mixed\.example resolves to 10\.1\.2\.3, a private address/)
  })

  it.each(['ftp://127.0.0.1/file', 'file:///etc/passwd', 'gopher://127.0.0.1:70/'])('refuses the scheme of %s', async (url) => {
    const error = await failure(safeFetchWithPolicy(loopbackOnly, url))
    expect(error.code).toBe('outbound_blocked')
    expect(error.message).toMatch(/^Only http and https URLs are allowed/)
  })

  it('sends nothing to a refused target', async () => {
    const before = peer.requests.length
    await failure(safeFetchWithPolicy(nothingAllowed, `${peer.url}/json`))
    expect(peer.requests.length).toBe(before)
  })
})

describe('safeFetch: allowlisted targets', () => {
  it('fetches from an allowlisted address and reports status, headers, body, final URL and timing', async () => {
    const response = await safeFetchWithPolicy(loopbackOnly, `${peer.url}/json`)
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('application/json')
    expect(JSON.parse(response.body.toString())).toMatchObject({ hello: 'world', method: 'GET' })
    expect(response.url).toBe(`${peer.url}/json`)
    expect(response.remoteAddress).toBe('127.0.0.1')
    expect(response.timing.totalMs).toBeGreaterThanOrEqual(0)
    expect(response.redirects).toEqual([])
  })

  it('reads the allowlist from the security.outbound_allowlist setting', async () => {
    const settings = (value: string) => ({ string: async (key: string) => (key === 'security.outbound_allowlist' ? value : '') })
    await expect(safeFetch({ settings: settings('["127.0.0.0/8"]') }, `${peer.url}/json`)).resolves.toMatchObject({ status: 200 })
    expect((await failure(safeFetch({ settings: settings('[]') }, `${peer.url}/json`))).code).toBe('outbound_blocked')
  })

  it('honours host:port entries for that port only', async () => {
    const policy = parseAllowlist([`127.0.0.1:${peer.port}`])
    await expect(safeFetchWithPolicy(policy, `${peer.url}/json`)).resolves.toMatchObject({ status: 200 })
    expect((await failure(safeFetchWithPolicy(policy, `${other.url}/`))).code).toBe('outbound_blocked')
  })

  it('connects to the address it checked (pinned), whatever DNS would say later', async () => {
    let lookups = 0
    // A rebinding resolver: the first answer is what gets checked, later ones would point elsewhere.
    const lookup = async () => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }])
    const policy = parseAllowlist(['127.0.0.1'])
    const response = await safeFetchWithPolicy(policy, `http://rebind.test:${peer.port}/json`, { lookup })
    expect(response.status).toBe(200)
    expect(lookups).toBe(1)
    expect(peer.requests.at(-1)?.headers.host).toBe(`rebind.test:${peer.port}`)
  })

  it('allows a host allowlisted by name', async () => {
    const lookup = async () => [{ address: '127.0.0.1', family: 4 }]
    const response = await safeFetchWithPolicy(parseAllowlist(['internal.test']), `http://internal.test:${peer.port}/json`, { lookup })
    expect(response.status).toBe(200)
  })

  it('decodes gzip, follows 303 with GET and reports HTTP errors only when asked', async () => {
    expect(JSON.parse((await safeFetchWithPolicy(loopbackOnly, `${peer.url}/gzip`)).body.toString())).toEqual({ zipped: true })
    const seeOther = await safeFetchWithPolicy(loopbackOnly, `${peer.url}/see-other`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
    expect(JSON.parse(seeOther.body.toString())).toMatchObject({ method: 'GET', body: '' })
    expect((await safeFetchWithPolicy(loopbackOnly, `${peer.url}/fail`)).status).toBe(500)
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/fail`, { failOnHttpError: true }))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toMatch(/answered HTTP 500/)
  })
})

describe('safeFetch: redirects', () => {
  it('follows up to 5 redirects and refuses the 6th', async () => {
    const five = await safeFetchWithPolicy(loopbackOnly, `${peer.url}/chain?hops=5`)
    expect(five.status).toBe(200)
    expect(five.redirects).toHaveLength(5)
    expect(five.url).toBe(`${peer.url}/json`)
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/chain?hops=6`))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toMatch(/Too many redirects \(more than 5\)/)
  })

  it('checks every hop: a redirect to 127.0.0.2 (not allowlisted) is refused and nothing reaches it', async () => {
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/to-127.0.0.2`))
    expect(error.code).toBe('outbound_blocked')
    expect(error.message).toMatch(/^127\.0\.0\.2 is a loopback address/)
    expect(second.requests).toHaveLength(0)
    const metadata = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/to-metadata`))
    expect(metadata.message).toMatch(/^169\.254\.169\.254 is a cloud metadata address/)
  })

  it('drops Authorization, Cookie and Proxy-Authorization when the origin changes, and keeps them within it', async () => {
    const policy = parseAllowlist(['127.0.0.0/8'])
    const options: SafeFetchOptions = { headers: { Authorization: 'Bearer secret', Cookie: 'sid=1', 'Proxy-Authorization': 'Basic x', 'X-Trace': 'kept' } }
    await safeFetchWithPolicy(policy, `${peer.url}/to-other`, options)
    const received = other.requests.at(-1)!.headers
    expect(received.authorization).toBeUndefined()
    expect(received.cookie).toBeUndefined()
    expect(received['proxy-authorization']).toBeUndefined()
    expect(received['x-trace']).toBe('kept')

    await safeFetchWithPolicy(policy, `${peer.url}/same-origin`, options)
    expect(peer.requests.at(-1)!.headers.authorization).toBe('Bearer secret')
  })
})

describe('safeFetch: failures name the cause', () => {
  it('reports a refused connection', async () => {
    const closed = await startHttpPeer(() => undefined)
    const url = `${closed.url}/`
    await closed.close()
    const error = await failure(safeFetchWithPolicy(loopbackOnly, url))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toBe(`Connection to 127.0.0.1:${closed.port} refused`)
  })

  it('reports a DNS failure', async () => {
    const error = await failure(safeFetchWithPolicy(nothingAllowed, 'http://no-such-host.invalid/'))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toMatch(/^DNS lookup of no-such-host\.invalid failed/)
  })

  it('reports a timeout', async () => {
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/hang`, { timeoutMs: 300 }))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toBe(`Request to 127.0.0.1:${peer.port} timed out after 300 ms`)
  })

  it('reports a TLS failure', async () => {
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `https://127.0.0.1:${peer.port}/json`))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toMatch(/^TLS error with 127\.0\.0\.1:\d+/)
  })

  it('refuses a body over maxBytes', async () => {
    const error = await failure(safeFetchWithPolicy(loopbackOnly, `${peer.url}/big`, { maxBytes: 1000 }))
    expect(error.code).toBe('outbound_failed')
    expect(error.message).toMatch(/larger than 1000 bytes/)
  })
})
