import { describe, expect, it } from 'vitest'
import { compilePath, parsePath, PathSyntaxError } from './mapping.path.ts'

const record = {
  user: { id: 42, name: 'Ada', tags: ['a', 'b'] },
  items: [{ price: 9.5 }, { price: 12 }],
  'odd key': { "it's": 1, 'a.b': 2 },
  nothing: null,
  matrix: [[1, 2], [3, 4]],
}

describe(parsePath.name, () => {
  it('parses members, indexes and quoted keys into segments', () => {
    expect(parsePath('$')).toEqual([])
    expect(parsePath('$.user.id')).toEqual(['user', 'id'])
    expect(parsePath('$.items[0].price')).toEqual(['items', 0, 'price'])
    expect(parsePath(`$['odd key']["it's"]`)).toEqual(['odd key', "it's"])
    expect(parsePath(`$['it\\'s']['tab\\there']['\\u00e9']`)).toEqual(["it's", 'tab\there', 'é'])
    expect(parsePath('$.user-id.$ref[-1]')).toEqual(['user-id', '$ref', -1])
  })

  it.each([
    ['user.id', "A path starts with '$' at position 1"],
    ['$.', "Expected a member name after '.' at position 3"],
    ['$.a*', "Unexpected character '*' at position 4"],
    ['$.*', "Wildcards '*' are not supported at position 3"],
    ['$[*]', "Wildcards '*' are not supported at position 3"],
    ['$..a', "Recursive descent '..' is not supported at position 2"],
    ["$['open", 'Unterminated quoted key at position 3'],
    ['$.a[0', "Expected ']' at position 6"],
    ['$.a b', "Unexpected character ' ' at position 4"],
    ['$[1.5]', "Expected ']' at position 4"],
    ["$['\\x']", 'Invalid escape in quoted key at position 4'],
  ])('rejects %s with the position', (path, message) => {
    expect(() => parsePath(path)).toThrow(new PathSyntaxError(message.replace(/ at position \d+$/, ''), Number(/\d+$/.exec(message)?.[0])))
    expect(() => parsePath(path)).toThrow(message)
  })

  it('rejects prototype keys however they are spelled', () => {
    for (const path of ['$.__proto__', "$['constructor']", '$.a.prototype', '$["__proto__"].x']) {
      expect(() => parsePath(path)).toThrow(/is not allowed/)
    }
  })

  it('bounds the length and the number of segments', () => {
    expect(() => parsePath(`$${'.a'.repeat(501)}`)).toThrow(/longer than 1000 characters/)
    expect(() => parsePath(`$${'.a'.repeat(65)}`)).toThrow(/at most 64 segments/)
    expect(parsePath(`$${'.a'.repeat(64)}`)).toHaveLength(64)
  })
})

describe(compilePath.name, () => {
  it('extracts nested members, array elements and quoted keys', () => {
    expect(compilePath('$.user.id')(record)).toBe(42)
    expect(compilePath('$.user.name')(record)).toBe('Ada')
    expect(compilePath('$.items[0].price')(record)).toBe(9.5)
    expect(compilePath('$.items[1].price')(record)).toBe(12)
    expect(compilePath('$.items[-1].price')(record)).toBe(12)
    expect(compilePath('$.matrix[1][0]')(record)).toBe(3)
    expect(compilePath("$['odd key']['a.b']")(record)).toBe(2)
    expect(compilePath(`$['odd key']["it's"]`)(record)).toBe(1)
    expect(compilePath('$.user.tags')(record)).toEqual(['a', 'b'])
    expect(compilePath('$')(record)).toBe(record)
    expect(compilePath('$[1]')(['x', 'y'])).toBe('y')
  })

  it('answers undefined for every kind of missing path', () => {
    expect(compilePath('$.missing')(record)).toBeUndefined()
    expect(compilePath('$.user.missing.deeper')(record)).toBeUndefined()
    expect(compilePath('$.items[5].price')(record)).toBeUndefined()
    expect(compilePath('$.items[-3]')(record)).toBeUndefined()
    expect(compilePath('$.items.price')(record)).toBeUndefined() // a member of an array
    expect(compilePath('$.items.length')(record)).toBeUndefined()
    expect(compilePath('$.user[0]')(record)).toBeUndefined() // an index into an object
    expect(compilePath('$.nothing.x')(record)).toBeUndefined()
    expect(compilePath('$.user.name.length')(record)).toBeUndefined() // a member of a string
    expect(compilePath('$.a.b')(null)).toBeUndefined()
    expect(compilePath('$.a')('text')).toBeUndefined()
  })

  it('keeps null distinct from missing', () => {
    expect(compilePath('$.nothing')(record)).toBeNull()
  })

  it('never reads inherited properties', () => {
    expect(compilePath('$.toString')(record)).toBeUndefined()
    expect(compilePath('$.hasOwnProperty')({})).toBeUndefined()
    expect(compilePath('$.user.valueOf')(record)).toBeUndefined()
    expect(compilePath('$.toString')({ toString: 'own value' })).toBe('own value')
  })
})
