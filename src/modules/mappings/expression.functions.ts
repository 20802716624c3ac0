import { describeValue, parseTimestampMs, toFiniteNumber } from './mapping.cast.ts'

/**
 * The whitelisted functions of the expression language. Scalar functions propagate null
 * (a null argument gives null, as in SQL); a wrong type raises ExpressionRuntimeError, which
 * rejects just that record. Nothing returns undefined, a function or a non-finite number.
 */

export class ExpressionRuntimeError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`)
  }
}

export interface EvaluationContext {
  /** One instant per apply() call, so every record of a batch sees the same now(). */
  readonly now: string
}

export type FunctionImpl = (args: unknown[], context: EvaluationContext, pos: number) => unknown

interface FunctionDef {
  minArgs: number
  maxArgs: number
  impl: FunctionImpl
}

export const DATE_TRUNC_UNITS: ReadonlySet<string> = new Set(['minute', 'hour', 'day'])
const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }

export function typeName(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null'
  }
  return Array.isArray(value) ? 'array' : typeof value
}

function fail(name: string, expected: string, value: unknown, pos: number): never {
  throw new ExpressionRuntimeError(`${name}() needs ${expected}, got ${typeName(value)} ${describeValue(value)}`, pos)
}

function finite(name: string, value: number, pos: number): number {
  if (!Number.isFinite(value)) {
    throw new ExpressionRuntimeError(`${name}() gave a number out of range`, pos)
  }
  return value
}

/** A one-argument string function with null propagation. */
function stringFn(name: string, apply: (text: string) => unknown): FunctionDef {
  return {
    minArgs: 1,
    maxArgs: 1,
    impl: ([value], _context, pos) => {
      if (value === null) {
        return null
      }
      return typeof value === 'string' ? apply(value) : fail(name, 'a string', value, pos)
    },
  }
}

/** A one-argument numeric function with null propagation. */
function numberFn(name: string, apply: (n: number) => number): FunctionDef {
  return {
    minArgs: 1,
    maxArgs: 1,
    impl: ([value], _context, pos) => {
      if (value === null) {
        return null
      }
      return typeof value === 'number' ? finite(name, apply(value), pos) : fail(name, 'a number', value, pos)
    },
  }
}

/** A two-string predicate (contains, startsWith, endsWith) with null propagation. */
function stringPredicate(name: string, test: (text: string, part: string) => boolean, arrays = false): FunctionDef {
  return {
    minArgs: 2,
    maxArgs: 2,
    impl: ([haystack, needle], _context, pos) => {
      if (haystack === null || needle === null) {
        return null
      }
      if (arrays && Array.isArray(haystack)) {
        return haystack.includes(needle)
      }
      if (typeof haystack !== 'string') {
        return fail(name, arrays ? 'a string or an array' : 'a string', haystack, pos)
      }
      return typeof needle === 'string' ? test(haystack, needle) : fail(name, 'a string to look for', needle, pos)
    },
  }
}

function extreme(name: string, pick: (a: number, b: number) => number): FunctionDef {
  return {
    minArgs: 1,
    maxArgs: 100,
    impl: (args, _context, pos) => {
      let result: number | null = null
      for (const value of args) {
        if (value === null) {
          continue // Nulls are skipped, as PostgreSQL's least()/greatest() do.
        }
        if (typeof value !== 'number') {
          return fail(name, 'numbers', value, pos)
        }
        result = result === null ? value : pick(result, value)
      }
      return result
    },
  }
}

/**
 * Rounds half away from zero at a decimal digit. Away from a .5 tie binary noise cannot change
 * the answer, so plain arithmetic decides; near a tie (1.005 * 100 = 100.49999...) the decimal
 * text of the number decides, as a person reading it would.
 */
export function roundTo(value: number, digits: number): number {
  const magnitude = Math.abs(value)
  const scale = 10 ** Math.abs(digits)
  const scaled = digits >= 0 ? magnitude * scale : magnitude / scale
  if (scaled >= 2 ** 52) {
    return value // Already a whole number at this digit.
  }
  let whole = Math.floor(scaled)
  const fraction = scaled - whole
  if (Math.abs(fraction - 0.5) > 1e-7) {
    whole += fraction > 0.5 ? 1 : 0
  } else {
    const decimal = Number(`${magnitude}e${digits}`)
    whole = Number.isFinite(decimal) ? Math.round(decimal) : Math.round(scaled)
  }
  return Math.sign(value) * (digits >= 0 ? whole / scale : whole * scale)
}

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map<string, FunctionDef>([
  ['lower', stringFn('lower', (text) => text.toLowerCase())],
  ['upper', stringFn('upper', (text) => text.toUpperCase())],
  ['trim', stringFn('trim', (text) => text.trim())],
  ['length', {
    minArgs: 1,
    maxArgs: 1,
    impl: ([value], _context, pos) => {
      if (value === null) {
        return null
      }
      return typeof value === 'string' || Array.isArray(value) ? value.length : fail('length', 'a string or an array', value, pos)
    },
  }],
  ['concat', {
    minArgs: 1,
    maxArgs: 100,
    impl: (args, _context, pos) => {
      let text = ''
      for (const value of args) {
        if (value === null) {
          continue // Like SQL concat(): nulls add nothing.
        }
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          return fail('concat', 'strings, numbers or booleans', value, pos)
        }
        text += String(value)
      }
      return text
    },
  }],
  ['coalesce', { minArgs: 1, maxArgs: 100, impl: (args) => args.find((value) => value !== null) ?? null }],
  ['round', {
    minArgs: 1,
    maxArgs: 2,
    impl: ([value, digits = 0], _context, pos) => {
      if (value === null) {
        return null
      }
      if (typeof value !== 'number') {
        return fail('round', 'a number', value, pos)
      }
      if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < -15 || digits > 15) {
        return fail('round', 'whole digits between -15 and 15', digits, pos)
      }
      return finite('round', roundTo(value, digits), pos)
    },
  }],
  ['floor', numberFn('floor', Math.floor)],
  ['ceil', numberFn('ceil', Math.ceil)],
  ['abs', numberFn('abs', Math.abs)],
  ['min', extreme('min', Math.min)],
  ['max', extreme('max', Math.max)],
  ['now', { minArgs: 0, maxArgs: 0, impl: (_args, context) => context.now }],
  ['contains', stringPredicate('contains', (text, part) => text.includes(part), true)],
  ['startsWith', stringPredicate('startsWith', (text, part) => text.startsWith(part))],
  ['endsWith', stringPredicate('endsWith', (text, part) => text.endsWith(part))],
  ['toNumber', {
    minArgs: 1,
    maxArgs: 1,
    impl: ([value], _context, pos) => {
      if (value === null) {
        return null
      }
      if (typeof value === 'boolean') {
        return value ? 1 : 0
      }
      return toFiniteNumber(value) ?? fail('toNumber', 'a number, a numeric string or a boolean', value, pos)
    },
  }],
  ['toString', {
    minArgs: 1,
    maxArgs: 1,
    impl: ([value]) => {
      if (value === null || typeof value === 'string') {
        return value
      }
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value)
    },
  }],
  ['dateTrunc', {
    minArgs: 2,
    maxArgs: 2,
    impl: ([unit, timestamp], _context, pos) => {
      const step = typeof unit === 'string' && DATE_TRUNC_UNITS.has(unit) ? UNIT_MS[unit] : undefined
      if (step === undefined) {
        return fail('dateTrunc', "a unit of 'minute', 'hour' or 'day'", unit, pos)
      }
      if (timestamp === null) {
        return null
      }
      const ms = parseTimestampMs(timestamp)
      if (Number.isNaN(ms)) {
        return fail('dateTrunc', 'an ISO 8601 timestamp or epoch number', timestamp, pos)
      }
      return new Date(Math.floor(ms / step) * step).toISOString()
    },
  }],
])
