import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../platform/errors.ts'
import type { Services } from '../../platform/services.ts'

const gunzipAsync = promisify(gunzip)

export const DEFAULT_MAX_BATCH_RECORDS = 10_000
export const DEFAULT_MAX_BATCH_BYTES = 10 * 1024 * 1024

/** A request body read, decompressed and parsed by the batch parsers below. */
export class ParsedBatch {
  constructor(
    readonly records: unknown[],
    /** The body after decompression: what HMAC signatures cover. */
    readonly raw: Buffer,
    /** SHA-256 (hex) of `raw`: an Idempotency-Key replay must carry the same body. */
    readonly hash: string,
    /**
     * The records as the text of one JSON array, exactly as received (a JSON array body, or
     * the NDJSON lines joined), when there is one: records stored as they come are passed to
     * PostgreSQL in this form, without serializing them again.
     */
    readonly arrayText: string | undefined,
  ) {}
}

export interface BatchLimits {
  maxRecords: number
  maxBytes: number
}

export async function batchLimits(services: Services): Promise<BatchLimits> {
  return {
    maxRecords: await services.settings.integer('ingest.max_batch_records', DEFAULT_MAX_BATCH_RECORDS),
    maxBytes: await services.settings.integer('ingest.max_batch_bytes', DEFAULT_MAX_BATCH_BYTES),
  }
}

const tooLarge = (message: string) => new AppError('payload_too_large', 413, message)
const invalidJson = (message: string) => new AppError('invalid_json', 400, message)

/**
 * Reads the body up to maxBytes. Past the limit it stops listening and answers 413 without
 * destroying the socket (so the answer still reaches the client), like Fastify's own reader.
 */
function readLimited(stream: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(stream.headers['content-length'])
  if (declared > maxBytes) {
    return Promise.reject(tooLarge(`The body is ${declared} bytes; the limit is ${maxBytes} bytes (ingest.max_batch_bytes)`))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const cleanup = () => {
      stream.removeListener('data', onData)
      stream.removeListener('end', onEnd)
      stream.removeListener('error', onError)
    }
    const onData = (chunk: Buffer) => {
      received += chunk.length
      if (received > maxBytes) {
        cleanup()
        reject(tooLarge(`The body is over the limit of ${maxBytes} bytes (ingest.max_batch_bytes)`))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, received))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(new AppError('validation_failed', 400, 'The request body could not be read', { cause: error }))
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
  })
}

async function decode(request: FastifyRequest, body: Buffer, maxBytes: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (encoding === 'identity' || encoding === '') {
    return body
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new AppError('unsupported_media_type', 415, `Content-Encoding "${encoding}" is not supported; send gzip or no encoding`)
  }
  try {
    // The inflated size is capped too, so a small gzip bomb can't expand past the limit.
    return await gunzipAsync(body, { maxOutputLength: maxBytes })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(`The decompressed body is over the limit of ${maxBytes} bytes (ingest.max_batch_bytes)`)
    }
    throw invalidJson('The body is not valid gzip')
  }
}

function parseJson(text: string, shape: 'array' | 'arrayOrObject'): { records: unknown[]; arrayText: string | undefined } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw invalidJson(`The body is not valid JSON: ${(error as Error).message}`)
  }
  if (Array.isArray(value)) {
    return { records: value, arrayText: text }
  }
  if (shape === 'arrayOrObject' && value !== null && typeof value === 'object') {
    return { records: [value], arrayText: undefined }
  }
  throw new AppError('validation_failed', 400, shape === 'array' ? 'The body must be a JSON array of records (or NDJSON)' : 'The body must be a JSON object or array')
}

function parseNdjson(text: string, maxRecords: number): { records: unknown[]; arrayText: string } {
  const records: unknown[] = []
  const lines: string[] = []
  let start = 0
  let line = 0
  while (start <= text.length) {
    const end = text.indexOf('\n', start)
    const stop = end === -1 ? text.length : end
    line++
    const raw = text.slice(start, stop).trim()
    start = stop + 1
    if (raw === '') {
      continue
    }
    if (records.length === maxRecords) {
      throw tooLarge(`The batch has more than ${maxRecords} records (ingest.max_batch_records)`)
    }
    try {
      records.push(JSON.parse(raw))
      lines.push(raw)
    } catch (error) {
      throw new AppError('invalid_json', 400, `Line ${line} is not valid JSON: ${(error as Error).message}`, { details: [{ field: `line ${line}`, message: 'is not valid JSON' }] })
    }
  }
  return { records, arrayText: `[${lines.join(',')}]` }
}

/**
 * Registers this plugin's body parsers (encapsulated: other routes keep Fastify's own):
 * application/json (an array of records; for webhooks an object too) and NDJSON, optionally
 * gzip-encoded, within ingest.max_batch_bytes (before and after inflating) and
 * ingest.max_batch_records. Anything else answers 415.
 */
export function registerBatchParsers(app: FastifyInstance, services: Services, shape: 'array' | 'arrayOrObject'): void {
  app.removeAllContentTypeParsers()
  const parse = (format: 'json' | 'ndjson') => async (request: FastifyRequest, payload: IncomingMessage): Promise<ParsedBatch> => {
    const limits = await batchLimits(services)
    const raw = await decode(request, await readLimited(payload, limits.maxBytes), limits.maxBytes)
    const text = raw.toString('utf8')
    if (text.trim() === '') {
      throw invalidJson('The body is empty')
    }
    const { records, arrayText } = format === 'json' ? parseJson(text, shape) : parseNdjson(text, limits.maxRecords)
    if (records.length > limits.maxRecords) {
      throw tooLarge(`The batch has ${records.length} records; the limit is ${limits.maxRecords} (ingest.max_batch_records)`)
    }
    return new ParsedBatch(records, raw, createHash('sha256').update(raw).digest('hex'), arrayText)
  }
  app.addContentTypeParser('application/json', parse('json'))
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], parse('ndjson'))
  app.addContentTypeParser('*', async (request: FastifyRequest) => {
    throw new AppError('unsupported_media_type', 415, `Content-Type "${request.headers['content-type'] ?? ''}" is not supported; send application/json or application/x-ndjson`)
  })
}

/** The parsed body of a batch route, or 400 when the request had none. */
export function requireBatch(body: unknown): ParsedBatch {
  if (!(body instanceof ParsedBatch)) {
    throw invalidJson('The body is empty: send a JSON array of records or NDJSON')
  }
  return body
}
