import { createHmac } from 'node:crypto'
import { AppError } from '../../platform/errors.ts'
import { safeFetch } from '../../platform/safe-fetch.ts'
import type { SettingsCache } from '../../platform/settings-cache.ts'
import type { WebhookSinkConfig } from '../pipelines/sinks.service.ts'
import type { Outcome } from './delivery.outcome.ts'

/**
 * Webhook sinks: the batch (a JSON array of records) is POSTed through safeFetch, so the SSRF
 * guard and the outbound allowlist apply as to every URL a user gives. Receivers verify
 *   X-Tessera-Signature: sha256=<hex HMAC-SHA256 of "<X-Tessera-Timestamp>.<raw body>", keyed with the sink's secret>
 * (the timestamp is signed too, so an old delivery can't be replayed as new) and dedupe on
 * X-Tessera-Delivery, which stays the same across the retries of one batch.
 */

export const SIGNATURE_HEADER = 'x-tessera-signature'
export const TIMESTAMP_HEADER = 'x-tessera-timestamp'
export const DELIVERY_HEADER = 'x-tessera-delivery'
export const ATTEMPT_HEADER = 'x-tessera-attempt'

/** A receiver's answer is read only to report errors; more than this is refused. */
const MAX_RESPONSE_BYTES = 1024 * 1024
const DEFAULT_TIMEOUT_MS = 10_000

export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** Seconds of a Retry-After header (the HTTP-date form is ignored). */
function retryAfterMs(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) * 1000 : undefined
}

export async function deliverWebhook(services: { settings: SettingsCache }, config: WebhookSinkConfig, delivery: { id: string; attempts: number; payload: string }): Promise<Outcome> {
  const url = new URL(config.url)
  const headers: Record<string, string> = { ...config.headers }
  // safeFetch refuses credentials in a URL: they travel as Basic authentication instead,
  // unless the sink sets its own Authorization header.
  if (url.username || url.password) {
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`
    }
    url.username = ''
    url.password = ''
  }
  const timestamp = String(Math.floor(Date.now() / 1000))
  // Set last: a configured header can't replace the signature or the delivery id.
  Object.assign(headers, {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signPayload(config.secret, timestamp, delivery.payload),
    [TIMESTAMP_HEADER]: timestamp,
    [DELIVERY_HEADER]: delivery.id,
    [ATTEMPT_HEADER]: String(delivery.attempts),
  })
  let response
  try {
    response = await safeFetch(services, url, {
      method: 'POST',
      headers,
      body: delivery.payload,
      timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: MAX_RESPONSE_BYTES,
      // Redirects are not followed: a signed batch goes to the configured URL only (and a
      // 301/302 would turn the POST into a GET). A redirect is retried like a network error.
      maxRedirects: 0,
    })
  } catch (error) {
    if (error instanceof AppError && error.code !== 'outbound_failed') {
      // outbound_blocked (an address the allowlist doesn't admit) or an invalid URL.
      return { kind: 'failed', error: error.message }
    }
    return { kind: 'retry', error: (error as Error).message }
  }
  const status = response.status
  if (status >= 200 && status < 300) {
    return { kind: 'delivered', statusCode: status }
  }
  const detail = response.body.toString('utf8', 0, 300).trim()
  const error = `${new URL(response.url).host} answered HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${detail ? `: ${detail}` : ''}`
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'failed', error, statusCode: status }
  }
  const wait = retryAfterMs(response.headers['retry-after'])
  return { kind: 'retry', error, statusCode: status, ...(wait !== undefined && { retryAfterMs: wait }) }
}
