import { describeValue } from './mapping.cast.ts'
import { getMember } from './mapping.path.ts'
import { DATE_TRUNC_UNITS, ExpressionRuntimeError, FUNCTIONS, typeName, type EvaluationContext } from './expression.functions.ts'
import { ExpressionSyntaxError, parseExpression, type BinaryOperator, type ExpressionNode } from './expression.parser.ts'

/**
 * Turns a parsed expression into a tree of closures, once per mapping. Evaluation reads only
 * own properties of the current output row, so no prototype, function or host object is ever
 * reachable from an expression.
 *
 * Semantics: a missing field reads as null. Arithmetic needs numbers and gives null when an
 * operand is null; `+` concatenates when either side is a string. `==`/`!=` compare without
 * coercion. `< <= > >=` compare two numbers or two strings (ISO timestamps sort as strings) and
 * are false when a side is null. `&&`/`||` short-circuit and return an operand, like JavaScript.
 */

export type Row = Record<string, unknown>
export type Evaluator = (row: Row, context: EvaluationContext) => unknown

export interface CompiledExpression {
  evaluate: Evaluator
  /** Top-level output fields the expression reads, for validating a spec against its fields. */
  fields: ReadonlySet<string>
}

const hasOwn = Object.prototype.hasOwnProperty

export function isTruthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false && value !== 0 && value !== ''
}

function compileField(path: readonly string[]): Evaluator {
  const [head, ...rest] = path as [string, ...string[]]
  if (rest.length === 0) {
    return (row) => (hasOwn.call(row, head) ? (row[head] ?? null) : null)
  }
  return (row) => {
    let value: unknown = hasOwn.call(row, head) ? row[head] : undefined
    for (const key of rest) {
      value = getMember(value, key)
    }
    return value ?? null
  }
}

/** The slow path of arithmetic: nulls, strings for `+`, and the errors. */
function arithmetic(op: BinaryOperator, a: unknown, b: unknown, pos: number): unknown {
  if (a === null || b === null) {
    return null
  }
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) {
    const concatenable = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    if (concatenable(a) && concatenable(b)) {
      return String(a) + String(b)
    }
  }
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ExpressionRuntimeError(`Operator '${op}' needs numbers, got ${typeName(a)} ${describeValue(a)} and ${typeName(b)} ${describeValue(b)}`, pos)
  }
  if ((op === '/' || op === '%') && b === 0) {
    throw new ExpressionRuntimeError('Division by zero', pos)
  }
  throw new ExpressionRuntimeError(`Operator '${op}' gave a number out of range`, pos)
}

function compileArithmetic(op: '+' | '-' | '*' | '/' | '%', left: Evaluator, right: Evaluator, pos: number): Evaluator {
  const calculate = { '+': (a: number, b: number) => a + b, '-': (a: number, b: number) => a - b, '*': (a: number, b: number) => a * b, '/': (a: number, b: number) => a / b, '%': (a: number, b: number) => a % b }[op]
  return (row, context) => {
    const a = left(row, context)
    const b = right(row, context)
    if (typeof a === 'number' && typeof b === 'number') {
      const result = calculate(a, b)
      // Number.isFinite also rejects NaN from 0/0 and x % 0; those fall through to the error path.
      if (Number.isFinite(result)) {
        return result
      }
    }
    return arithmetic(op, a, b, pos)
  }
}

function compileComparison(op: '<' | '<=' | '>' | '>=', left: Evaluator, right: Evaluator, pos: number): Evaluator {
  const compare = { '<': (a: number | string, b: number | string) => a < b, '<=': (a: number | string, b: number | string) => a <= b, '>': (a: number | string, b: number | string) => a > b, '>=': (a: number | string, b: number | string) => a >= b }[op]
  return (row, context) => {
    const a = left(row, context)
    const b = right(row, context)
    if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
      return compare(a, b)
    }
    if (a === null || b === null) {
      return false
    }
    throw new ExpressionRuntimeError(`Operator '${op}' compares two numbers or two strings, got ${typeName(a)} and ${typeName(b)}`, pos)
  }
}

function compileNode(node: ExpressionNode, fields: Set<string>): Evaluator {
  switch (node.type) {
    case 'literal': {
      const { value } = node
      return () => value
    }
    case 'field':
      fields.add(node.path[0] as string)
      return compileField(node.path)
    case 'unary': {
      const operand = compileNode(node.operand, fields)
      const { pos } = node
      if (node.op === '!') {
        return (row, context) => !isTruthy(operand(row, context))
      }
      return (row, context) => {
        const value = operand(row, context)
        if (typeof value === 'number') {
          return -value
        }
        if (value === null) {
          return null
        }
        throw new ExpressionRuntimeError(`Operator '-' needs a number, got ${typeName(value)}`, pos)
      }
    }
    case 'binary': {
      const left = compileNode(node.left, fields)
      const right = compileNode(node.right, fields)
      switch (node.op) {
        case '==':
          return (row, context) => left(row, context) === right(row, context)
        case '!=':
          return (row, context) => left(row, context) !== right(row, context)
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compileComparison(node.op, left, right, node.pos)
        default:
          return compileArithmetic(node.op, left, right, node.pos)
      }
    }
    case 'logical': {
      const left = compileNode(node.left, fields)
      const right = compileNode(node.right, fields)
      if (node.op === '&&') {
        return (row, context) => {
          const value = left(row, context)
          return isTruthy(value) ? right(row, context) : value
        }
      }
      return (row, context) => {
        const value = left(row, context)
        return isTruthy(value) ? value : right(row, context)
      }
    }
    case 'conditional': {
      const test = compileNode(node.test, fields)
      const consequent = compileNode(node.consequent, fields)
      const alternate = compileNode(node.alternate, fields)
      return (row, context) => (isTruthy(test(row, context)) ? consequent(row, context) : alternate(row, context))
    }
    case 'call':
      return compileCall(node, fields)
  }
}

function compileCall(node: Extract<ExpressionNode, { type: 'call' }>, fields: Set<string>): Evaluator {
  const def = FUNCTIONS.get(node.name)
  if (!def) {
    throw new ExpressionSyntaxError(`Unknown function '${node.name}'`, node.pos)
  }
  const count = node.args.length
  if (count < def.minArgs || count > def.maxArgs) {
    const expected = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs >= 100 ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`
    throw new ExpressionSyntaxError(`${node.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${count}`, node.pos)
  }
  const [firstArg] = node.args
  if (node.name === 'dateTrunc' && firstArg?.type === 'literal' && !DATE_TRUNC_UNITS.has(String(firstArg.value))) {
    throw new ExpressionSyntaxError(`dateTrunc() takes a unit of 'minute', 'hour' or 'day', got ${describeValue(firstArg.value)}`, firstArg.pos)
  }
  const args = node.args.map((arg) => compileNode(arg, fields))
  const { impl } = def
  const { pos } = node
  return (row, context) => {
    const values = new Array<unknown>(args.length)
    for (let i = 0; i < args.length; i++) {
      values[i] = (args[i] as Evaluator)(row, context)
    }
    return impl(values, context, pos)
  }
}

/** Parses and compiles; throws ExpressionSyntaxError (with a position) for any static problem. */
export function compileExpression(source: string): CompiledExpression {
  const fields = new Set<string>()
  const evaluate = compileNode(parseExpression(source), fields)
  return { evaluate, fields }
}

/** Convenience for tests and one-off use: compile and evaluate against a row. */
export function evaluateExpression(source: string, row: Row, context: EvaluationContext = { now: new Date().toISOString() }): unknown {
  return compileExpression(source).evaluate(row, context)
}
