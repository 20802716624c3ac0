/**
 * What a request log keeps of headers, query strings and bodies: a copy with secrets replaced
 * and cut to a budget. It runs on the request path (in the onResponse hook), so the cost is
 * bounded by the budget, not by the size of the body: the walk stops once the budget is spent
 * and never serializes the whole value.
 */

export const REDACTED = '[redacted]'
export const CUT = '…'

/** Keys whose values are secrets wherever they appear: headers, query parameters, body fields, path parameters. */
const SENSITIVE_KEY = /authorization|cookie|passw(?:or)?d|secret|token|api[-_]?key|private[-_]?key|signature|credential|session|csrf/i

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key)
}

/** Nesting below this is cut: a deep body costs no more than a wide one. */
const MAX_DEPTH = 16

interface Budget {
  left: number
  cut: boolean
}

/**
 * A JSON-safe copy of `value` with every sensitive key's value replaced by REDACTED, of about
 * `maxBytes` characters at most (keys and values counted as they would serialize, roughly).
 * Where the budget ran out, an object gets a final key "…" = "truncated", an array a final
 * "… truncated" element, and a string ends with "…".
 */
export function redactedCopy(value: unknown, maxBytes: number): { value: unknown; truncated: boolean } {
  const budget: Budget = { left: maxBytes, cut: false }
  return { value: copy(value, budget, 0), truncated: budget.cut }
}

function copy(value: unknown, budget: Budget, depth: number): unknown {
  if (value === null || value === undefined) {
    budget.left -= 4
    return null
  }
  switch (typeof value) {
    case 'string':
      return copyString(value, budget)
    case 'number':
      budget.left -= 8
      return Number.isFinite(value) ? value : null
    case 'boolean':
      budget.left -= 5
      return value
    case 'bigint':
      return copyString(value.toString(), budget)
    case 'object':
      break
    default:
      return null
  }
  if (Buffer.isBuffer(value)) {
    budget.left -= 32
    return { binary: true, bytes: value.length }
  }
  if (depth >= MAX_DEPTH) {
    budget.cut = true
    return CUT
  }
  if (Array.isArray(value)) {
    const out: unknown[] = []
    budget.left -= 2
    for (const item of value) {
      if (budget.left <= 0) {
        budget.cut = true
        out.push(`${CUT} truncated`)
        break
      }
      out.push(copy(item, budget, depth + 1))
    }
    return out
  }
  const out: Record<string, unknown> = {}
  budget.left -= 2
  // for…in rather than Object.entries: a huge object is not listed whole before the cut.
  for (const key in value as Record<string, unknown>) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      continue
    }
    if (budget.left <= 0) {
      budget.cut = true
      out[CUT] = 'truncated'
      break
    }
    budget.left -= key.length + 4
    const item = (value as Record<string, unknown>)[key]
    if (isSensitiveKey(key)) {
      budget.left -= REDACTED.length
      out[key] = REDACTED
    } else {
      out[key] = copy(item, budget, depth + 1)
    }
  }
  return out
}

function copyString(value: string, budget: Budget): string {
  const room = Math.max(0, budget.left)
  budget.left -= value.length + 2
  if (value.length <= room) {
    return value
  }
  budget.cut = true
  return `${value.slice(0, room)}${CUT}`
}

/** The path with the values of sensitive path parameters (/embed/:token, /hooks/:pipelineId/:secret) replaced. */
export function redactedPath(path: string, params: unknown): string {
  if (!params || typeof params !== 'object') {
    return path
  }
  let result = path
  for (const key in params as Record<string, unknown>) {
    const value = (params as Record<string, unknown>)[key]
    if (isSensitiveKey(key) && typeof value === 'string' && value.length > 0) {
      // The raw path holds the encoded form of the value.
      result = result.split(encodeURIComponent(value)).join(REDACTED).split(value).join(REDACTED)
    }
  }
  return result
}
