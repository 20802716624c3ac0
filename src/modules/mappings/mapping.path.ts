/**
 * The JSONPath subset of field mappings: `$`, `.name`, `['quoted key']` / `["quoted key"]` and
 * `[index]` (negative counts from the end). Paths are parsed once into segments and compiled
 * into a getter; a getter never throws and answers `undefined` for anything missing.
 */

export type PathSegment = string | number
export type PathGetter = (value: unknown) => unknown

export const MAX_PATH_LENGTH = 1000
export const MAX_PATH_SEGMENTS = 64

/** Keys that would reach an object's prototype machinery; refused in paths, field names and expressions. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

export class PathSyntaxError extends Error {
  /** 1-based character position in the path. */
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`)
  }
}

const hasOwn = Object.prototype.hasOwnProperty
const NAME_CHAR = /[A-Za-z0-9_$\-\u0080-\uffff]/
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

/** Own-property read of a JSON object member; arrays and primitives have no members here. */
export function getMember(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined
  }
  // hasOwnProperty, not `in`: a record without "toString" must not yield Object.prototype.toString.
  return hasOwn.call(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

function getElement(value: unknown, index: number): unknown {
  if (!Array.isArray(value)) {
    return undefined
  }
  const at = index < 0 ? value.length + index : index
  return at >= 0 && at < value.length ? (value[at] as unknown) : undefined
}

export function parsePath(path: string): PathSegment[] {
  if (path.length > MAX_PATH_LENGTH) {
    throw new PathSyntaxError(`The path is longer than ${MAX_PATH_LENGTH} characters`, MAX_PATH_LENGTH + 1)
  }
  if (path[0] !== '$') {
    throw new PathSyntaxError("A path starts with '$'", 1)
  }
  const segments: PathSegment[] = []
  let i = 1
  const push = (segment: PathSegment, position: number) => {
    if (typeof segment === 'string' && FORBIDDEN_KEYS.has(segment)) {
      throw new PathSyntaxError(`The key '${segment}' is not allowed`, position)
    }
    if (segments.length >= MAX_PATH_SEGMENTS) {
      throw new PathSyntaxError(`A path has at most ${MAX_PATH_SEGMENTS} segments`, position)
    }
    segments.push(segment)
  }
  while (i < path.length) {
    const ch = path[i]
    const start = i + 1
    if (ch === '.') {
      if (path[i + 1] === '.') {
        throw new PathSyntaxError("Recursive descent '..' is not supported", start)
      }
      i++
      let name = ''
      while (i < path.length && NAME_CHAR.test(path[i] as string)) {
        name += path[i]
        i++
      }
      if (name === '') {
        throw new PathSyntaxError(path[i] === '*' ? "Wildcards '*' are not supported" : "Expected a member name after '.'", i + 1)
      }
      push(name, start + 1)
    } else if (ch === '[') {
      i++
      const quote = path[i]
      if (quote === "'" || quote === '"') {
        i++
        let key = ''
        for (;;) {
          const c = path[i]
          if (c === undefined) {
            throw new PathSyntaxError('Unterminated quoted key', start + 1)
          }
          if (c === quote) {
            i++
            break
          }
          if (c === '\\') {
            const next = path[i + 1] ?? ''
            if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(path.slice(i + 2, i + 6))) {
              key += String.fromCharCode(parseInt(path.slice(i + 2, i + 6), 16))
              i += 6
              continue
            }
            const escaped = ESCAPES[next]
            if (escaped === undefined) {
              throw new PathSyntaxError('Invalid escape in quoted key', i + 1)
            }
            key += escaped
            i += 2
            continue
          }
          key += c
          i++
        }
        push(key, start + 1)
      } else {
        const match = /^-?\d{1,9}/.exec(path.slice(i))
        if (!match) {
          throw new PathSyntaxError(path[i] === '*' ? "Wildcards '*' are not supported" : 'Expected an array index or a quoted key', i + 1)
        }
        push(Number(match[0]), i + 1)
        i += match[0].length
      }
      if (path[i] !== ']') {
        throw new PathSyntaxError("Expected ']'", i + 1)
      }
      i++
    } else {
      throw new PathSyntaxError(`Unexpected character '${ch}'`, start)
    }
  }
  return segments
}

/** Compiles segments into a getter; the common one- and two-member paths get a loop-free closure. */
export function compileGetter(segments: readonly PathSegment[]): PathGetter {
  const [first, second] = segments
  if (segments.length === 0) {
    return (value) => value
  }
  if (segments.length === 1 && typeof first === 'string') {
    return (value) => getMember(value, first)
  }
  if (segments.length === 2 && typeof first === 'string' && typeof second === 'string') {
    return (value) => getMember(getMember(value, first), second)
  }
  const steps = [...segments]
  return (value) => {
    let current = value
    for (const step of steps) {
      current = typeof step === 'string' ? getMember(current, step) : getElement(current, step)
      if (current === undefined) {
        return undefined
      }
    }
    return current
  }
}

export function compilePath(path: string): PathGetter {
  return compileGetter(parsePath(path))
}
