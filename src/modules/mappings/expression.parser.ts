import { FORBIDDEN_KEYS } from './mapping.path.ts'

/**
 * Tokenizer and recursive-descent parser of the expression language of compute and filter
 * transformations. It only builds a tree: nothing here evaluates anything, and no input ever
 * reaches eval, Function or vm. Positions are 1-based character offsets into the source.
 *
 * Precedence, loosest first: `?:` (right-assoc), `||`, `&&`, `== !=`, `< <= > >=`, `+ -`,
 * `* / %`, unary `! -`, then literals, field paths (`price`, `user.name`, `` `odd key` ``),
 * function calls and parentheses.
 */

export const MAX_EXPRESSION_LENGTH = 1000
export const MAX_EXPRESSION_DEPTH = 64

export class ExpressionSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`)
  }
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>='

export type ExpressionNode =
  | { type: 'literal'; value: string | number | boolean | null; pos: number }
  | { type: 'field'; path: string[]; pos: number }
  | { type: 'unary'; op: '!' | '-'; operand: ExpressionNode; pos: number }
  | { type: 'binary'; op: BinaryOperator; left: ExpressionNode; right: ExpressionNode; pos: number }
  | { type: 'logical'; op: '&&' | '||'; left: ExpressionNode; right: ExpressionNode; pos: number }
  | { type: 'conditional'; test: ExpressionNode; consequent: ExpressionNode; alternate: ExpressionNode; pos: number }
  | { type: 'call'; name: string; args: ExpressionNode[]; pos: number }

type Token =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'name'; value: string; quoted: boolean; pos: number }
  | { kind: 'op'; value: string; pos: number }
  | { kind: 'end'; value: ''; pos: number }

// Sticky (y): matched at lastIndex, so the tokenizer never slices the source.
const NUMBER = /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':', '(', ')', ',', '.']
const STRING_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', '`': '`', n: '\n', r: '\r', t: '\t', '0': '\0' }

function readQuoted(source: string, start: number, quote: string): { text: string; end: number } {
  let text = ''
  let i = start + 1
  for (;;) {
    const c = source[i]
    if (c === undefined) {
      throw new ExpressionSyntaxError(quote === '`' ? 'Unterminated quoted name' : 'Unterminated string', start + 1)
    }
    if (c === quote) {
      return { text, end: i + 1 }
    }
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      const hex = source.slice(i + 2, i + 6)
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(hex)) {
        text += String.fromCharCode(parseInt(hex, 16))
        i += 6
        continue
      }
      const escaped = STRING_ESCAPES[next]
      if (escaped === undefined) {
        throw new ExpressionSyntaxError(`Invalid escape '\\${next}'`, i + 1)
      }
      text += escaped
      i += 2
      continue
    }
    text += c
    i++
  }
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i] as string
    const pos = i + 1
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    NUMBER.lastIndex = i
    NAME.lastIndex = i
    const number = /[0-9.]/.test(c) ? NUMBER.exec(source) : null
    if (number) {
      i += number[0].length
      if (/[A-Za-z0-9_.]/.test(source[i] ?? '')) {
        throw new ExpressionSyntaxError('Malformed number', pos)
      }
      tokens.push({ kind: 'number', value: Number(number[0]), pos })
      continue
    }
    const name = NAME.exec(source)
    if (name) {
      tokens.push({ kind: 'name', value: name[0], quoted: false, pos })
      i += name[0].length
      continue
    }
    if (c === "'" || c === '"' || c === '`') {
      const { text, end } = readQuoted(source, i, c)
      tokens.push(c === '`' ? { kind: 'name', value: text, quoted: true, pos } : { kind: 'string', value: text, pos })
      i = end
      continue
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i))
    if (!op) {
      const hint = c === '=' ? " (use '==' to compare)" : c === '&' || c === '|' ? ` (use '${c}${c}')` : ''
      throw new ExpressionSyntaxError(`Unexpected character '${c}'${hint}`, pos)
    }
    tokens.push({ kind: 'op', value: op, pos })
    i += op.length
  }
  tokens.push({ kind: 'end', value: '', pos: source.length + 1 })
  return tokens
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression'
    case 'string':
      return 'string'
    case 'number':
      return `number ${token.value}`
    default:
      return `'${token.value}'`
  }
}

class Parser {
  private index = 0
  private depth = 0

  constructor(private readonly tokens: Token[]) {}

  parse(): ExpressionNode {
    const node = this.ternary()
    const next = this.peek()
    if (next.kind !== 'end') {
      throw new ExpressionSyntaxError(`Unexpected ${describe(next)}`, next.pos)
    }
    return node
  }

  private peek(): Token {
    return this.tokens[this.index] as Token
  }

  private isOp(value: string): boolean {
    const token = this.peek()
    return token.kind === 'op' && token.value === value
  }

  private expectOp(value: string): Token {
    const token = this.peek()
    if (token.kind !== 'op' || token.value !== value) {
      throw new ExpressionSyntaxError(`Expected '${value}' but found ${describe(token)}`, token.pos)
    }
    this.index++
    return token
  }

  /** Every nested construct passes through here, so the depth bound also bounds recursion. */
  private nested<T>(pos: number, parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionSyntaxError(`The expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, pos)
    }
    const node = parse()
    this.depth--
    return node
  }

  private ternary(): ExpressionNode {
    const test = this.or()
    if (!this.isOp('?')) {
      return test
    }
    const { pos } = this.expectOp('?')
    const consequent = this.nested(pos, () => this.ternary())
    this.expectOp(':')
    const alternate = this.nested(pos, () => this.ternary())
    return { type: 'conditional', test, consequent, alternate, pos }
  }

  private or(): ExpressionNode {
    let left = this.and()
    while (this.isOp('||')) {
      const { pos } = this.expectOp('||')
      left = { type: 'logical', op: '||', left, right: this.and(), pos }
    }
    return left
  }

  private and(): ExpressionNode {
    let left = this.binary(0)
    while (this.isOp('&&')) {
      const { pos } = this.expectOp('&&')
      left = { type: 'logical', op: '&&', left, right: this.binary(0), pos }
    }
    return left
  }

  private static readonly LEVELS: ReadonlyArray<readonly BinaryOperator[]> = [['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']]

  /** Left-associative binary levels, equality (0) to multiplicative (3). */
  private binary(level: number): ExpressionNode {
    const operators = Parser.LEVELS[level]
    if (!operators) {
      return this.unary()
    }
    let left = this.binary(level + 1)
    for (;;) {
      const token = this.peek()
      const op = operators.find((candidate) => token.kind === 'op' && token.value === candidate)
      if (!op) {
        return left
      }
      this.index++
      left = { type: 'binary', op, left, right: this.binary(level + 1), pos: token.pos }
    }
  }

  private unary(): ExpressionNode {
    const token = this.peek()
    if (token.kind === 'op' && (token.value === '!' || token.value === '-')) {
      this.index++
      const operand = this.nested(token.pos, () => this.unary())
      return { type: 'unary', op: token.value, operand, pos: token.pos }
    }
    return this.primary()
  }

  private primary(): ExpressionNode {
    const token = this.peek()
    this.index++
    switch (token.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: token.value, pos: token.pos }
      case 'name':
        return this.nameOrCall(token)
      case 'op':
        if (token.value === '(') {
          const inner = this.nested(token.pos, () => this.ternary())
          this.expectOp(')')
          return inner
        }
        throw new ExpressionSyntaxError(`Unexpected ${describe(token)}`, token.pos)
      case 'end':
        throw new ExpressionSyntaxError('Unexpected end of expression', token.pos)
    }
  }

  private nameOrCall(token: Extract<Token, { kind: 'name' }>): ExpressionNode {
    if (!token.quoted && (token.value === 'true' || token.value === 'false' || token.value === 'null')) {
      return { type: 'literal', value: token.value === 'null' ? null : token.value === 'true', pos: token.pos }
    }
    const path = [checkName(token)]
    while (this.isOp('.')) {
      this.index++
      const segment = this.peek()
      if (segment.kind !== 'name') {
        throw new ExpressionSyntaxError(`Expected a field name after '.' but found ${describe(segment)}`, segment.pos)
      }
      this.index++
      path.push(checkName(segment))
    }
    if (!this.isOp('(')) {
      return { type: 'field', path, pos: token.pos }
    }
    const { pos } = this.expectOp('(')
    const args: ExpressionNode[] = []
    if (!this.isOp(')')) {
      do {
        args.push(this.nested(pos, () => this.ternary()))
      } while (this.isOp(',') && this.expectOp(','))
    }
    this.expectOp(')')
    return { type: 'call', name: path.join('.'), args, pos: token.pos }
  }
}

function checkName(token: Extract<Token, { kind: 'name' }>): string {
  if (FORBIDDEN_KEYS.has(token.value)) {
    throw new ExpressionSyntaxError(`The name '${token.value}' is not allowed`, token.pos)
  }
  if (token.value === '') {
    throw new ExpressionSyntaxError('A quoted name is empty', token.pos)
  }
  return token.value
}

/** Parses an expression into a tree; throws ExpressionSyntaxError naming the position. */
export function parseExpression(source: string): ExpressionNode {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(`The expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH + 1)
  }
  if (source.trim() === '') {
    throw new ExpressionSyntaxError('The expression is empty', 1)
  }
  return new Parser(tokenize(source)).parse()
}
