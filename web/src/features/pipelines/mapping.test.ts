import { describe, expect, it } from 'vitest'
import type { MappingSpec } from './api.ts'
import { draftFromSpec, emptyField, errorsFromDetails, parseLiteral, specFromDraft, validateDraft } from './mapping.ts'
import { fieldNameFor, parseSample, savedExamples, suggestFields } from './sample.ts'

const SPEC: MappingSpec = {
  mappings: [
    { path: '$.id', field: 'id', type: 'integer', required: true },
    { path: '$.price', field: 'price', type: 'number', onCastError: 'default', default: 0 },
    { path: '$.at', field: 'at', type: 'timestamp' },
  ],
  transformations: [
    { kind: 'rename', from: 'price', to: 'amount' },
    { kind: 'cast', field: 'id', to: 'string', onError: 'null' },
    { kind: 'default', field: 'currency', value: 'EUR' },
    { kind: 'compute', field: 'double', expression: 'amount * 2' },
    { kind: 'filter', expression: 'amount > 0' },
  ],
  timestampField: 'at',
}

describe('mapping draft', () => {
  it('turns a spec into a draft and back without changing it', () => {
    expect(specFromDraft(draftFromSpec(SPEC))).toEqual(SPEC)
  })

  it('keeps the sample as sourceSchema examples, at most 20', () => {
    const examples = Array.from({ length: 30 }, (_, i) => ({ i }))
    const spec = specFromDraft(draftFromSpec(SPEC), examples)
    expect(savedExamples(spec.sourceSchema)).toHaveLength(20)
  })

  it('reads defaults as JSON when they parse and as text otherwise', () => {
    expect(parseLiteral('0')).toBe(0)
    expect(parseLiteral('null')).toBeNull()
    expect(parseLiteral('n/a')).toBe('n/a')
    expect(parseLiteral('  ')).toBeUndefined()
  })

  it('reports the mistakes the server would, keyed like its details', () => {
    const draft = draftFromSpec(SPEC)
    draft.fields.push(emptyField({ path: 'price', field: 'id' }), emptyField({ path: '$.x', field: 'x', onCastError: 'default' }))
    draft.steps[3] = { ...draft.steps[3]!, expression: ' ' }
    expect(validateDraft(draft)).toEqual({
      'mappings[3].path': "Start the path with $, e.g. $.user.id or $['odd key']",
      'mappings[3].field': "The field 'id' is mapped twice",
      'mappings[4].default': "A default is needed when cast errors use 'default'",
      'transformations[3].expression': 'Enter an expression',
    })
    expect(validateDraft(draftFromSpec(SPEC))).toEqual({})
  })

  it("maps the server's details to the editor's keys", () => {
    expect(errorsFromDetails([{ field: 'mappings[0].path', message: 'Unexpected character at position 3' }, { field: 'body.timestampField', message: 'too long' }])).toEqual({
      'mappings[0].path': 'Unexpected character at position 3',
      timestampField: 'too long',
    })
  })
})

describe(parseSample.name, () => {
  it('accepts an array, one object or NDJSON', () => {
    expect(parseSample('[{"a":1},{"a":2}]')).toEqual({ ok: true, records: [{ a: 1 }, { a: 2 }] })
    expect(parseSample('{"a":1}')).toEqual({ ok: true, records: [{ a: 1 }] })
    expect(parseSample('{"a":1}\n{"a":2}\n')).toEqual({ ok: true, records: [{ a: 1 }, { a: 2 }] })
  })

  it('says what is wrong with a bad sample', () => {
    expect(parseSample('')).toMatchObject({ ok: false, error: 'Paste one or more sample records as JSON first.' })
    expect(parseSample('{"a":1}\n{oops}')).toMatchObject({ ok: false, error: expect.stringContaining('Line 2 is not valid JSON') as string })
    expect(parseSample('[]')).toMatchObject({ ok: false })
  })
})

describe(suggestFields.name, () => {
  it('suggests one typed field per leaf, flattening nested objects', () => {
    const rows = suggestFields([{ id: 1, price: null, user: { name: 'Ada' }, 'odd key': true, at: '2024-05-01T12:00:00Z', tags: ['a'] }, { price: 9.5 }])
    expect(rows.map((row) => [row.path, row.field, row.type])).toEqual([
      ['$.id', 'id', 'integer'],
      ['$.price', 'price', 'number'],
      ['$.user.name', 'user_name', 'string'],
      ["$['odd key']", 'odd_key', 'boolean'],
      ['$.at', 'at', 'timestamp'],
      ['$.tags', 'tags', 'json'],
    ])
  })

  it('names fields after their path', () => {
    expect(fieldNameFor('$.items[0].price')).toBe('items_0_price')
  })
})
