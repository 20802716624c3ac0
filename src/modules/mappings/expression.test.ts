import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { compileExpression, evaluateExpression, type Row } from './expression.compiler.ts'
import { ExpressionRuntimeError, roundTo } from './expression.functions.ts'
import { ExpressionSyntaxError, parseExpression } from './expression.parser.ts'

const NOW = '2024-05-06T07:08:09.000Z'
const row: Row = {
  price: 12.5,
  qty: 4,
  name: 'Ada Lovelace',
  empty: '',
  zero: 0,
  nothing: null,
  flag: true,
  user: { name: 'ada', address: { city: 'London' } },
  tags: ['x', 'y'],
  'odd key': 7,
  ts: '2024-05-06T07:38:59.123Z',
}
const run = (source: string, values: Row = row) => evaluateExpression(source, values, { now: NOW })
const syntaxError = (source: string) => {
  try {
    compileExpression(source)
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionSyntaxError)
    return error as ExpressionSyntaxError
  }
  throw new Error(`expected a syntax error for ${source}`)
}

describe('expression literals and fields', () => {
  it('evaluates number, string, boolean and null literals', () => {
    expect(run('42')).toBe(42)
    expect(run('1.5e2')).toBe(150)
    expect(run('.5')).toBe(0.5)
    expect(run(`'it\\'s'`)).toBe("it's")
    expect(run('"tab\\there"')).toBe('tab\there')
    expect(run('"\\u00e9"')).toBe('é')
    expect(run('true')).toBe(true)
    expect(run('null')).toBeNull()
  })

  it('reads fields and dotted paths of the current row; missing reads as null', () => {
    expect(run('price')).toBe(12.5)
    expect(run('user.name')).toBe('ada')
    expect(run('user.address.city')).toBe('London')
    expect(run('`odd key`')).toBe(7)
    expect(run('missing')).toBeNull()
    expect(run('user.missing.deeper')).toBeNull()
    expect(run('tags.length')).toBeNull()
  })

  it('reports the top-level fields an expression reads', () => {
    expect([...compileExpression('price * qty > 10 && user.name != null ? round(price) : `odd key`').fields]).toEqual(['price', 'qty', 'user', 'odd key'])
  })
})

describe('expression operators', () => {
  it('applies precedence and left associativity', () => {
    expect(run('1 + 2 * 3')).toBe(7)
    expect(run('(1 + 2) * 3')).toBe(9)
    expect(run('10 - 4 - 3')).toBe(3)
    expect(run('100 / 10 / 5')).toBe(2)
    expect(run('2 * 7 % 4')).toBe(2)
    expect(run('-2 * 3')).toBe(-6)
    expect(run('- -2')).toBe(2)
    expect(run('1 + 2 == 3')).toBe(true)
    expect(run('1 < 2 == 2 < 3')).toBe(true)
    expect(run('!flag || qty > 3 && price < 10')).toBe(false)
    expect(run('!flag || qty > 3 && price > 10')).toBe(true)
    expect(run('price * qty')).toBe(50)
  })

  it('concatenates with + when a side is a string and propagates null in arithmetic', () => {
    expect(run("'n=' + qty")).toBe('n=4')
    expect(run("name + '!'")).toBe('Ada Lovelace!')
    expect(run("'a' + true")).toBe('atrue')
    expect(run("'a' + nothing")).toBeNull()
    expect(run('price * nothing')).toBeNull()
    expect(run('-nothing')).toBeNull()
  })

  it('compares without coercion; ordering needs two numbers or two strings and is false against null', () => {
    expect(run("qty == '4'")).toBe(false)
    expect(run('qty == 4')).toBe(true)
    expect(run('missing == null')).toBe(true)
    expect(run('nothing != null')).toBe(false)
    expect(run("'abc' < 'abd'")).toBe(true)
    expect(run("ts >= '2024-05-06T00:00:00.000Z'")).toBe(true)
    expect(run('nothing < 5')).toBe(false)
    expect(run('nothing >= 5')).toBe(false)
  })

  it('short-circuits && and ||, returning an operand', () => {
    expect(run('false && 1 / 0 > 1')).toBe(false)
    expect(run('true || 1 / 0 > 1')).toBe(true)
    expect(run('nothing != null && nothing.x > 1')).toBe(false)
    expect(run("empty || 'fallback'")).toBe('fallback')
    expect(run("name && 'yes'")).toBe('yes')
    expect(run('zero && 1 / 0')).toBe(0)
  })

  it('evaluates only the chosen branch of a ternary, right-associatively', () => {
    expect(run("qty > 3 ? 'many' : 1 / 0")).toBe('many')
    expect(run("qty > 9 ? 1 / 0 : 'few'")).toBe('few')
    expect(run("qty > 9 ? 'a' : qty > 3 ? 'b' : 'c'")).toBe('b')
    expect(run("(qty > 3 ? price : 0) * 2")).toBe(25)
  })

  it('treats "", 0, null and false as falsy and everything else as truthy', () => {
    expect([run('!empty'), run('!zero'), run('!nothing'), run('!false')]).toEqual([true, true, true, true])
    expect([run('!tags'), run('!user'), run("!'0'")]).toEqual([false, false, false])
  })

  it.each([
    ["name - 1", "Operator '-' needs numbers", 6],
    ['qty / 0', 'Division by zero', 5],
    ['qty % 0', 'Division by zero', 5],
    ["qty < 'a'", "Operator '<' compares two numbers or two strings, got number and string", 5],
    ['1e308 * 10', "Operator '*' gave a number out of range", 7],
    ['-name', "Operator '-' needs a number, got string", 1],
    ['user + 1', "Operator '+' needs numbers", 6],
  ])('fails at runtime for %s with the position', (source, message, position) => {
    expect(() => run(source)).toThrow(ExpressionRuntimeError)
    expect(() => run(source)).toThrow(message)
    expect(() => run(source)).toThrow(`at position ${position}`)
  })
})

describe('expression functions', () => {
  it('transforms strings', () => {
    expect(run('lower(name)')).toBe('ada lovelace')
    expect(run('upper(user.name)')).toBe('ADA')
    expect(run("trim('  x ')")).toBe('x')
    expect(run('length(name)')).toBe(12)
    expect(run('length(tags)')).toBe(2)
    expect(run("concat(user.name, '-', qty, nothing, flag)")).toBe('ada-4true')
    expect(run('lower(nothing)')).toBeNull()
    expect(() => run('lower(qty)')).toThrow('lower() needs a string, got number 4 at position 1')
  })

  it('picks the first non-null value with coalesce', () => {
    expect(run("coalesce(nothing, missing, 'x', 'y')")).toBe('x')
    expect(run('coalesce(nothing)')).toBeNull()
  })

  it('rounds half away from zero without binary noise', () => {
    expect(run('round(2.5)')).toBe(3)
    expect(run('round(-2.5)')).toBe(-3)
    expect(run('round(1.005, 2)')).toBe(1.01)
    expect(run('round(2.675, 2)')).toBe(2.68)
    expect(run('round(1234.5678, 1)')).toBe(1234.6)
    expect(run('round(1250, -2)')).toBe(1300)
    expect(roundTo(0.1 + 0.2, 10)).toBe(0.3)
    expect(roundTo(1e-7, 2)).toBe(0)
    expect(() => run('round(1, 1.5)')).toThrow('round() needs whole digits between -15 and 15')
  })

  it('does arithmetic helpers, ignoring nulls in min and max', () => {
    expect([run('floor(-1.5)'), run('ceil(1.2)'), run('abs(-3)')]).toEqual([-2, 2, 3])
    expect(run('min(3, nothing, 1, 2)')).toBe(1)
    expect(run('max(qty, price)')).toBe(12.5)
    expect(run('max(nothing)')).toBeNull()
    expect(() => run("min(1, 'a')")).toThrow('min() needs numbers')
  })

  it('answers one now() per evaluation context', () => {
    expect(run('now()')).toBe(NOW)
  })

  it('tests substrings and array membership', () => {
    expect(run("contains(name, 'Love')")).toBe(true)
    expect(run("contains(tags, 'y')")).toBe(true)
    expect(run("contains(tags, 'z')")).toBe(false)
    expect(run("startsWith(name, 'Ada')")).toBe(true)
    expect(run("endsWith(name, 'Ada')")).toBe(false)
    expect(run("contains(nothing, 'x')")).toBeNull()
    expect(() => run("startsWith(tags, 'x')")).toThrow('startsWith() needs a string')
  })

  it('converts with toNumber and toString', () => {
    expect(run("toNumber(' 12.5 ')")).toBe(12.5)
    expect(run('toNumber(flag)')).toBe(1)
    expect(run('toNumber(nothing)')).toBeNull()
    expect(() => run("toNumber('12px')")).toThrow('toNumber() needs a number, a numeric string or a boolean')
    expect(run('toString(qty) + toString(flag)')).toBe('4true')
    expect(run('toString(tags)')).toBe('["x","y"]')
  })

  it('truncates timestamps to a minute, hour or day in UTC', () => {
    expect(run("dateTrunc('minute', ts)")).toBe('2024-05-06T07:38:00.000Z')
    expect(run("dateTrunc('hour', ts)")).toBe('2024-05-06T07:00:00.000Z')
    expect(run("dateTrunc('day', '2024-05-06T23:30:00-02:00')")).toBe('2024-05-07T00:00:00.000Z')
    expect(run("dateTrunc('day', 1700000000)")).toBe('2023-11-14T00:00:00.000Z')
    expect(run("dateTrunc('day', nothing)")).toBeNull()
    expect(() => run("dateTrunc('day', name)")).toThrow('dateTrunc() needs an ISO 8601 timestamp or epoch number')
    expect(syntaxError("dateTrunc('week', ts)").message).toBe("dateTrunc() takes a unit of 'minute', 'hour' or 'day', got \"week\" at position 11")
  })
})

describe('expression syntax errors', () => {
  it.each([
    ['1 +', 'Unexpected end of expression', 4],
    ['(1 + 2', "Expected ')' but found end of expression", 7],
    ['a = 1', "Unexpected character '=' (use '==' to compare)", 3],
    ['a & b', "Unexpected character '&' (use '&&')", 3],
    ['price qty', "Unexpected 'qty'", 7],
    ['foo(1)', "Unknown function 'foo'", 1],
    ['round(1, 2, 3)', 'round() takes 1 to 2 arguments, got 3', 1],
    ['now(1)', 'now() takes 0 arguments, got 1', 1],
    ['lower()', 'lower() takes 1 argument, got 0', 1],
    ["'open", 'Unterminated string', 1],
    ['1abc', 'Malformed number', 1],
    ['user.', "Expected a field name after '.' but found end of expression", 6],
    ['a ? b', "Expected ':' but found end of expression", 6],
    ['   ', 'The expression is empty', 1],
    ["'\\q'", "Invalid escape '\\q'", 2],
    ['``', 'A quoted name is empty', 1],
  ])('rejects %j naming the position', (source, message, position) => {
    const error = syntaxError(source)
    expect(error.message).toBe(`${message} at position ${position}`)
    expect(error.position).toBe(position)
  })

  it('rejects prototype keys as fields, path segments, quoted names and function names', () => {
    for (const source of ['__proto__', 'constructor', 'prototype', 'user.__proto__', 'user.constructor.name', '`__proto__`', 'constructor(1)']) {
      expect(syntaxError(source).message).toMatch(/is not allowed at position \d+/)
    }
  })

  it('rejects overlong and deeply nested expressions', () => {
    expect(syntaxError(`1${' + 1'.repeat(250)}`).message).toBe('The expression is longer than 1000 characters at position 1001')
    expect(compileExpression(`${'('.repeat(64)}1${')'.repeat(64)}`).evaluate({}, { now: NOW })).toBe(1)
    expect(syntaxError(`${'('.repeat(65)}1${')'.repeat(65)}`).message).toBe('The expression nests deeper than 64 levels at position 65')
    expect(syntaxError(`${'!'.repeat(70)}true`).message).toMatch(/nests deeper than 64 levels/)
    expect(syntaxError(`${'abs('.repeat(70)}1${')'.repeat(70)}`).message).toMatch(/nests deeper than 64 levels/)
    expect(syntaxError(`${'a ? b : '.repeat(70)}c`).message).toMatch(/nests deeper than 64 levels/)
  })

  it('reads a long name as one field', () => {
    const name = `f${'x'.repeat(600)}`
    expect(run(name, { [name]: 5 })).toBe(5)
  })

  it('parses a long flat chain without nesting', () => {
    expect(run(`1${' + 1'.repeat(240)}`)).toBe(241)
    expect(parseExpression('a || b || c').type).toBe('logical')
  })
})

describe('expression sandbox', () => {
  it('never evaluates JavaScript', () => {
    for (const source of ['process.exit(1)', "require('fs')", "eval('1')", 'Function("return 1")()', 'globalThis.process.exit(1)']) {
      expect(syntaxError(source)).toBeInstanceOf(ExpressionSyntaxError)
    }
    for (const source of ['[1, 2]', 'x => 1', '{}', 'a; b', 'a[0]', '`a`[0]', 'new Date()']) {
      expect(() => compileExpression(source)).toThrow(ExpressionSyntaxError)
    }
    // Plain names are fields of the row, never globals.
    expect(run('process')).toBeNull()
    expect(run('globalThis')).toBeNull()
    expect(run('this')).toBeNull()
    expect(run('toString')).toBeNull()
    expect(run('hasOwnProperty')).toBeNull()
    expect(run('user.name.length')).toBeNull()
  })

  it('only reads own properties of a row', () => {
    const inherited = Object.create({ secret: 'from prototype' }) as Row
    expect(run('secret', inherited)).toBeNull()
    expect(run('valueOf', {})).toBeNull()
  })

  it('has no eval, Function or vm anywhere in the module', () => {
    const dir = path.dirname(fileURLToPath(import.meta.url))
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8')
      expect(source, file).not.toMatch(/\beval\s*\(|new\s+Function\b|\bFunction\s*\(|['"](node:)?vm['"]/)
    }
  })
})
