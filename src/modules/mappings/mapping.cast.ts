import type { FieldType } from './mapping.types.ts'

/**
 * Type casts of mapped fields. A caster takes a present, non-null value and returns the cast
 * value or CAST_FAILED; a sentinel rather than an exception because bad data is routine here and
 * throwing per record would dominate the cost of a dirty batch.
 */

export const CAST_FAILED: unique symbol = Symbol('cast_failed')
export type Caster = (value: unknown) => unknown

export const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'integer', 'boolean', 'timestamp', 'json']

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const EPOCH_STRING = /^-?\d+(?:\.\d+)?$/
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/
/** Below this magnitude an epoch number is seconds (1e11 s is the year 5138); above, milliseconds. */
const EPOCH_SECONDS_LIMIT = 1e11
/** Years 1-9999: what PostgreSQL timestamptz and toISOString() both print plainly. */
const MIN_TIME = -62135596800000
const MAX_TIME = 253402300799999
const FOUR_CENTURIES_MS = 146097 * 86400000
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** A finite number from a number or a strictly numeric string (no hex, no "Infinity", no ""). */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined
  }
  if (typeof value === 'string') {
    const text = value.trim()
    if (!NUMERIC.test(text)) {
      return undefined
    }
    const parsed = Number(text)
    return Number.isFinite(parsed) ? parsed : undefined
  }
  return undefined
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** The digits text[start..start+count) as a number, or -1. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48
    if (code < 0 || code > 9) {
      return -1
    }
    value = value * 10 + code
  }
  return value
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const maxDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]
  if (maxDay === undefined || day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 59) {
    return NaN
  }
  // Date.UTC maps years 0-99 to 1900-1999; shift by a 400-year Gregorian cycle to dodge that.
  return year < 100 ? Date.UTC(year + 400, month - 1, day, hour, minute, second, millis) - FOUR_CENTURIES_MS : Date.UTC(year, month - 1, day, hour, minute, second, millis)
}

/** toISOString()'s own shape (YYYY-MM-DDTHH:mm:ss.sssZ), read without a regex: mapped rows are full of it. */
function isCanonicalShape(text: string): boolean {
  return text.length === 24 && text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && text[16] === ':' && text[19] === '.' && text[23] === 'Z'
}

function parseCanonical(text: string): number {
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  const hour = digitsAt(text, 11, 2)
  const minute = digitsAt(text, 14, 2)
  const second = digitsAt(text, 17, 2)
  const millis = digitsAt(text, 20, 3)
  // digitsAt answers -1 for a non-digit; any negative part makes the OR negative.
  return (year | month | day | hour | minute | second | millis) < 0 ? NaN : utcMs(year, month, day, hour, minute, second, millis)
}

function parseIso(text: string): number {
  if (isCanonicalShape(text)) {
    return parseCanonical(text)
  }
  const m = ISO_8601.exec(text)
  if (!m) {
    return NaN
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
  const utc = utcMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), millis)
  let offsetMinutes = 0
  if (m[9]) {
    const offsetHours = Number(m[10])
    const offsetMins = Number(m[11] ?? 0)
    if (offsetHours > 23 || offsetMins > 59) {
      return NaN
    }
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  // A string without an offset is read as UTC, never as the server's local time.
  return utc - offsetMinutes * 60000
}

function fromEpoch(value: number): number {
  return Math.round(Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value)
}

/**
 * Milliseconds since the epoch, or NaN. Accepts ISO 8601 strings (date, optional time and
 * fraction, optional Z or ±hh[:mm] offset; no offset means UTC), epoch seconds or milliseconds
 * as numbers or digit strings, and valid Date objects; years 1-9999 only.
 */
export function parseTimestampMs(value: unknown): number {
  let ms: number
  if (typeof value === 'number') {
    ms = Number.isFinite(value) ? fromEpoch(value) : NaN
  } else if (typeof value === 'string') {
    const text = value.trim()
    ms = EPOCH_STRING.test(text) ? fromEpoch(Number(text)) : parseIso(text)
  } else if (value instanceof Date) {
    ms = value.getTime()
  } else {
    return NaN
  }
  return ms >= MIN_TIME && ms <= MAX_TIME ? ms : NaN
}

const castString: Caster = (value) => {
  if (typeof value === 'string') {
    return value
  }
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
    return String(value)
  }
  return CAST_FAILED
}

const castNumber: Caster = (value) => toFiniteNumber(value) ?? CAST_FAILED

const castInteger: Caster = (value) => {
  const number = toFiniteNumber(value)
  // Safe integers only: a larger value has already lost precision and would store a different id.
  return number !== undefined && Number.isSafeInteger(number) ? number : CAST_FAILED
}

const castBoolean: Caster = (value) => {
  if (value === true || value === 'true' || value === 1) {
    return true
  }
  if (value === false || value === 'false' || value === 0) {
    return false
  }
  return CAST_FAILED
}

const castTimestamp: Caster = (value) => {
  const ms = parseTimestampMs(value)
  if (typeof value === 'string' && isCanonicalShape(value) && !Number.isNaN(ms)) {
    return value // Already what toISOString() would print; skip the Date.
  }
  return Number.isNaN(ms) ? CAST_FAILED : new Date(ms).toISOString()
}

const castJson: Caster = (value) => value

export function casterFor(type: FieldType): Caster {
  switch (type) {
    case 'string':
      return castString
    case 'number':
      return castNumber
    case 'integer':
      return castInteger
    case 'boolean':
      return castBoolean
    case 'timestamp':
      return castTimestamp
    case 'json':
      return castJson
    default:
      return assertUnreachable(type)
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`)
}

/** A short, single-line rendering of a value for error messages (records may hold large blobs). */
export function describeValue(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value))
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
