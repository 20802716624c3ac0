import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import { compileMapping, validateMappingSpec, type FieldMapping, type MappingSpec, type Transformation } from './mapping.engine.ts'

const spec = (mappings: FieldMapping[], transformations: Transformation[] = [], timestampField: string | null = null): MappingSpec => ({ mappings, transformations, timestampField })

function invalid(input: unknown): Array<{ field: string; message: string }> {
  try {
    validateMappingSpec(input)
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('invalid_mapping')
    expect((error as AppError).statusCode).toBe(400)
    return (error as AppError).details as Array<{ field: string; message: string }>
  }
  throw new Error('expected invalid_mapping')
}

describe(compileMapping.name, () => {
  it('stores records as they come for a null or empty spec', () => {
    const record = { a: 1 }
    for (const empty of [null, undefined, spec([])]) {
      const result = compileMapping(empty).apply([record, [1, 2], 'text', null])
      expect(result).toEqual({
        rows: [
          { index: 0, data: { a: 1 }, recordTime: null },
          { index: 1, data: { value: [1, 2] }, recordTime: null },
          { index: 2, data: { value: 'text' }, recordTime: null },
          { index: 3, data: { value: null }, recordTime: null },
        ],
        errors: [],
        filtered: 0,
      })
      expect(result.rows[0]?.data).toBe(record)
    }
  })

  it('outputs only the mapped fields, extracted and cast', () => {
    const mapping = compileMapping(spec([
      { path: '$.user.id', field: 'userId', type: 'integer' },
      { path: "$['display name']", field: 'name', type: 'string' },
      { path: '$.items[0].price', field: 'price', type: 'number' },
      { path: '$.active', field: 'active', type: 'boolean' },
      { path: '$.at', field: 'at', type: 'timestamp' },
      { path: '$.meta', field: 'meta', type: 'json' },
    ]))
    const result = mapping.apply([{ user: { id: '7' }, 'display name': 'Ada', items: [{ price: '9.5' }], active: 'true', at: 1_700_000_000, meta: { k: [1] }, ignored: true }])
    expect(result.errors).toEqual([])
    expect(result.rows).toEqual([{ index: 0, data: { userId: 7, name: 'Ada', price: 9.5, active: true, at: '2023-11-14T22:13:20.000Z', meta: { k: [1] } }, recordTime: null }])
  })

  it('reports missing required fields, fills optional ones with the default or null, and goes on', () => {
    const mapping = compileMapping(spec([
      { path: '$.id', field: 'id', type: 'integer', required: true },
      { path: '$.name', field: 'name', type: 'string', required: true },
      { path: '$.country', field: 'country', type: 'string', default: 'FR' },
      { path: '$.city', field: 'city', type: 'string' },
    ]))
    const result = mapping.apply([{ id: 1, name: 'a' }, { name: null }, { id: 3, name: 'c', country: null, city: 'Paris' }])
    expect(result.rows.map((row) => [row.index, row.data])).toEqual([
      [0, { id: 1, name: 'a', country: 'FR', city: null }],
      [2, { id: 3, name: 'c', country: 'FR', city: 'Paris' }],
    ])
    expect(result.errors).toEqual([
      { index: 1, code: 'missing_field', field: 'id', message: "The required field 'id' is missing ($.id)" },
      { index: 1, code: 'missing_field', field: 'name', message: "The required field 'name' is missing ($.name)" },
    ])
  })

  it('applies each onCastError mode', () => {
    const mapping = compileMapping(spec([
      { path: '$.a', field: 'rejected', type: 'integer' },
      { path: '$.b', field: 'nulled', type: 'integer', onCastError: 'null' },
      { path: '$.c', field: 'defaulted', type: 'integer', onCastError: 'default', default: '-1' },
    ]))
    const result = mapping.apply([{ a: 1, b: 'x', c: 1.5 }, { a: 1.5, b: 2, c: 3 }])
    expect(result.rows).toEqual([{ index: 0, data: { rejected: 1, nulled: null, defaulted: -1 }, recordTime: null }])
    expect(result.errors).toEqual([{ index: 1, code: 'cast_failed', field: 'rejected', message: "Cannot cast 1.5 to integer (field 'rejected')" }])
  })

  it('rejects records that are not objects when fields are mapped', () => {
    const result = compileMapping(spec([{ path: '$[0]', field: 'first', type: 'string' }])).apply([['x'], 'text', null])
    expect(result.rows).toEqual([{ index: 0, data: { first: 'x' }, recordTime: null }])
    expect(result.errors.map((error) => [error.index, error.code])).toEqual([[1, 'invalid_record'], [2, 'invalid_record']])
  })

  it('runs transformations in order', () => {
    const mapping = compileMapping(spec(
      [{ path: '$.p', field: 'p', type: 'number' }, { path: '$.q', field: 'q', type: 'string' }],
      [
        { kind: 'rename', from: 'p', to: 'price' },
        { kind: 'default', field: 'q', value: '1' },
        { kind: 'cast', field: 'q', to: 'integer', onError: 'reject' },
        { kind: 'compute', field: 'total', expression: 'price * q' },
        { kind: 'compute', field: 'total', expression: 'total + 1' },
        { kind: 'default', field: 'note', value: 'none' },
      ],
    ))
    const result = mapping.apply([{ p: 2, q: '3' }, { p: 5 }, { p: 1, q: 'x' }])
    expect(result.rows.map((row) => row.data)).toEqual([
      { price: 2, q: 3, total: 7, note: 'none' },
      { price: 5, q: 1, total: 6, note: 'none' },
    ])
    expect(result.errors).toEqual([{ index: 2, code: 'cast_failed', field: 'q', message: 'Cannot cast "x" to integer (field \'q\')' }])
  })

  it('counts filtered records apart from errors', () => {
    const mapping = compileMapping(spec([{ path: '$.n', field: 'n', type: 'number' }], [
      { kind: 'filter', expression: 'n > 1' },
      { kind: 'compute', field: 'inverse', expression: '1 / (n - 3)' },
      { kind: 'filter', expression: 'inverse != 1' },
    ]))
    const result = mapping.apply([{ n: 0 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 1 }])
    expect(result.filtered).toBe(3)
    expect(result.rows.map((row) => [row.index, row.data])).toEqual([[1, { n: 2, inverse: -1 }], [4, { n: 5, inverse: 0.5 }]])
    expect(result.errors).toEqual([{ index: 2, code: 'expression_failed', field: 'inverse', message: 'The expression failed: Division by zero at position 3' }])
  })

  it('reports a failing filter without a field', () => {
    const result = compileMapping(spec([], [{ kind: 'filter', expression: "name > 1" }])).apply([{ name: 'x' }, { name: 2 }])
    expect(result.rows.map((row) => row.index)).toEqual([1])
    expect(result.errors).toEqual([{ index: 0, code: 'expression_failed', message: "The expression failed: Operator '>' compares two numbers or two strings, got string and number at position 6" }])
  })

  it('passes records through the transformations without touching the caller objects', () => {
    const input = { a: 1, b: 2 }
    const result = compileMapping(spec([], [{ kind: 'rename', from: 'a', to: 'c' }, { kind: 'compute', field: 'd', expression: 'c + b' }])).apply([input, 'raw'])
    expect(result.rows.map((row) => row.data)).toEqual([{ b: 2, c: 1, d: 3 }, { value: 'raw', d: null }])
    expect(input).toEqual({ a: 1, b: 2 })
  })

  it('gives every record of a batch the same now()', () => {
    const result = compileMapping(spec([], [{ kind: 'compute', field: 'at', expression: 'now()' }])).apply(Array.from({ length: 50 }, () => ({})))
    expect(new Set(result.rows.map((row) => row.data.at)).size).toBe(1)
  })

  describe('timestampField', () => {
    const mapping = compileMapping(spec([{ path: '$.t', field: 'when', type: 'json' }], [], 'when'))

    it('turns ISO strings and epoch seconds or milliseconds into recordTime', () => {
      const result = mapping.apply([{ t: '2024-01-02T03:04:05+01:00' }, { t: 1_700_000_000 }, { t: 1_700_000_000_250 }])
      expect(result.rows.map((row) => row.recordTime?.toISOString())).toEqual(['2024-01-02T02:04:05.000Z', '2023-11-14T22:13:20.000Z', '2023-11-14T22:13:20.250Z'])
      expect(result.rows[0]?.data).toEqual({ when: '2024-01-02T03:04:05+01:00' })
    })

    it('leaves recordTime null for a missing value and rejects an invalid one', () => {
      const result = mapping.apply([{}, { t: 'not a date' }, { t: true }])
      expect(result.rows).toEqual([{ index: 0, data: { when: null }, recordTime: null }])
      expect(result.errors).toEqual([
        { index: 1, code: 'invalid_timestamp', field: 'when', message: 'The timestamp field \'when\' holds "not a date", not an ISO 8601 timestamp or epoch number' },
        { index: 2, code: 'invalid_timestamp', field: 'when', message: "The timestamp field 'when' holds true, not an ISO 8601 timestamp or epoch number" },
      ])
    })

    it('reads a field produced by the transformations, and works on passed-through records', () => {
      const computed = compileMapping(spec([], [{ kind: 'compute', field: 'day', expression: "dateTrunc('day', ts)" }], 'day'))
      expect(computed.apply([{ ts: '2024-03-04T10:00:00Z' }]).rows[0]?.recordTime).toEqual(new Date('2024-03-04T00:00:00.000Z'))
      expect(compileMapping(spec([], [], 'toString')).apply([{}]).rows[0]?.recordTime).toBeNull()
    })
  })
})

describe(validateMappingSpec.name, () => {
  it('returns a normalized copy of a valid spec', () => {
    expect(validateMappingSpec({ mappings: [{ path: '$.a', field: 'a', type: 'string' }], sourceSchema: { type: 'object' } })).toEqual({
      mappings: [{ path: '$.a', field: 'a', type: 'string' }],
      transformations: [],
      timestampField: null,
      sourceSchema: { type: 'object' },
    })
    expect(validateMappingSpec({ mappings: [], transformations: [{ kind: 'cast', field: 'x', to: 'number' }] }).transformations).toEqual([{ kind: 'cast', field: 'x', to: 'number', onError: 'reject' }])
  })

  it('names every bad path, expression and property in details', () => {
    const details = invalid({
      mappings: [
        { path: '$.items[*]', field: 'items', type: 'json' },
        { path: '$.a', field: 'a', type: 'decimal' },
        { path: '$.b', field: 'a', type: 'string', onCastError: 'default' },
        { path: '$.c', field: '__proto__', type: 'string' },
        { path: '$.d', field: 'd', type: 'integer', default: 'abc', colour: 'red' },
      ],
      transformations: [
        { kind: 'compute', field: 'total', expression: 'price * (qty' },
        { kind: 'filter', expression: 'items == null' }, // 'items' exists: a bad path does not hide its field
        { kind: 'rename', from: 'missing', to: 'x' },
        { kind: 'explode' },
        { kind: 'compute', field: 'y', expression: 'ghost + 1' },
      ],
      timestampField: 'nowhere',
    })
    expect(details).toEqual([
      { field: 'mappings[0].path', message: "Wildcards '*' are not supported at position 9" },
      { field: 'mappings[1].type', message: 'Must be one of: string, number, integer, boolean, timestamp, json' },
      { field: 'mappings[2].field', message: "The field 'a' is mapped twice" },
      { field: 'mappings[2].default', message: "A default is needed when cast errors use 'default'" },
      { field: 'mappings[3].field', message: "The field name '__proto__' is not allowed" },
      { field: 'mappings[4].colour', message: 'Unknown property (expected one of: path, field, type, required, onCastError, default)' },
      { field: 'mappings[4].default', message: 'The default "abc" is not a valid integer' },
      { field: 'transformations[0].expression', message: "Expected ')' but found end of expression at position 13" },
      { field: 'transformations[2].from', message: "No field 'missing' exists at this step (fields: items, a, d)" },
      { field: 'transformations[3].kind', message: 'Must be an object whose kind is one of: rename, cast, default, compute, filter' },
      { field: 'transformations[4].expression', message: "No field 'ghost' exists at this step (fields: items, a, d, x)" },
      { field: 'timestampField', message: "No field 'nowhere' exists at this step (fields: items, a, d, x, y)" },
    ])
  })

  it('rejects a spec that is not an object, and lists of the wrong shape', () => {
    expect(invalid(null)).toEqual([{ field: 'mapping', message: 'Must be an object' }])
    expect(invalid([])).toEqual([{ field: 'mapping', message: 'Must be an object' }])
    expect(invalid({ mappings: {}, transformations: 'x', extra: 1 })).toEqual([
      { field: 'mapping.extra', message: 'Unknown property (expected one of: sourceSchema, mappings, transformations, timestampField)' },
      { field: 'mappings', message: 'Must be an array' },
      { field: 'transformations', message: 'Must be an array' },
    ])
    expect(invalid({ mappings: Array.from({ length: 501 }, (_, i) => ({ path: '$.a', field: `f${i}`, type: 'json' })) })).toEqual([{ field: 'mappings', message: 'At most 500 entries' }])
  })

  it('throws a message that names the first problem, also from compileMapping', () => {
    const compile = () => compileMapping({ mappings: [{ path: 'x', field: 'x', type: 'json' }], transformations: [] })
    expect(compile).toThrow(AppError)
    expect(compile).toThrow("Invalid mapping: mappings[0].path: A path starts with '$' at position 1")
  })
})
