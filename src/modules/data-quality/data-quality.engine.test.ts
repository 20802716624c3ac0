import { describe, expect, it } from 'vitest'
import { checkPattern, mappingFieldTypes } from './data-quality.config.ts'
import { evaluateBatch, evaluateFreshness, hasType, valueAt } from './data-quality.engine.ts'

describe(valueAt.name, () => {
  it('reads a key holding the whole path first, then walks nested objects', () => {
    expect(valueAt({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1)
    expect(valueAt({ a: { b: { c: 3 } } }, 'a.b.c')).toBe(3)
    expect(valueAt({ a: [{ b: 1 }] }, 'a.0.b')).toBeUndefined()
    expect(valueAt({ a: null }, 'a')).toBeNull()
    expect(valueAt('text', 'a')).toBeUndefined()
  })
})

describe(hasType.name, () => {
  it('tells the JSON types apart, integers from numbers and ISO timestamps from other strings', () => {
    expect([hasType(1, 'integer'), hasType(1.5, 'integer'), hasType(1.5, 'number'), hasType('1', 'number')]).toEqual([true, false, true, false])
    expect([hasType('2024-05-01T10:00:00Z', 'timestamp'), hasType('2024-05-01', 'timestamp'), hasType('2024-13-45', 'timestamp'), hasType('1', 'timestamp')]).toEqual([true, true, false, false])
    expect([hasType({}, 'object'), hasType([], 'object'), hasType([], 'array'), hasType(null, 'json')]).toEqual([true, false, true, true])
  })
})

describe(evaluateBatch.name, () => {
  it('passes an empty batch and a batch without anything to judge', () => {
    const accuracy = { checkType: 'accuracy' as const, config: { field: 'x', min: 0 }, threshold: 1 }
    expect(evaluateBatch(accuracy, []).passed).toBe(true)
    expect(evaluateBatch(accuracy, [{}, { x: null }]).result).toMatchObject({ checked: 0, skipped: 2, passRatio: 1 })
  })

  it('keeps ten failing rows as examples and shortens long values', () => {
    const rows = Array.from({ length: 25 }, () => ({ code: 'x'.repeat(500) }))
    const verdict = evaluateBatch({ checkType: 'accuracy', config: { field: 'code', allowed: ['ok'] }, threshold: 1 }, rows)
    expect(verdict.result.failedRows).toBe(25)
    expect(verdict.result.failures).toHaveLength(10)
    expect(String(verdict.result.failures[0]?.value)).toHaveLength(100)
  })

  it('fails strings longer than 1,000 characters against a pattern', () => {
    const verdict = evaluateBatch({ checkType: 'accuracy', config: { field: 's', pattern: '^a*$' }, threshold: 1 }, [{ s: 'a'.repeat(1001) }, { s: 'aaa' }])
    expect(verdict.result.failures).toEqual([{ index: 0, field: 's', reason: 'is longer than 1000 characters', value: expect.any(String) }])
  })

  it('notes a consistency check with no types to check', () => {
    expect(evaluateBatch({ checkType: 'consistency', config: {}, threshold: 1 }, [{ a: 1 }]).result.note).toContain('No field types')
  })
})

describe(evaluateFreshness.name, () => {
  const now = new Date('2024-05-01T12:00:00Z')
  it('measures age from the later of the last data and the grace start', () => {
    const old = new Date('2024-05-01T11:00:00Z')
    expect(evaluateFreshness({ maxAgeMinutes: 30 }, { lastDataAt: old, graceFrom: old, now })).toMatchObject({ passed: false, result: { ageMinutes: 60 } })
    expect(evaluateFreshness({ maxAgeMinutes: 30 }, { lastDataAt: old, graceFrom: new Date('2024-05-01T11:45:00Z'), now }).passed).toBe(true)
    expect(evaluateFreshness({ maxAgeMinutes: 30 }, { lastDataAt: null, graceFrom: new Date('2024-05-01T11:59:00Z'), now }).result).toMatchObject({ lastDataAt: null, ageMinutes: 1 })
  })
})

describe(checkPattern.name, () => {
  it('accepts ordinary patterns and refuses the shapes that backtrack exponentially', () => {
    for (const ok of ['^[A-Z]{3}-\\d+$', '^[^@]+@[^@]+\\.[a-z]{2,}$', '^(?:ab)?c+$', '^(foo|bar)$', '^(ab){2}$']) {
      expect(() => checkPattern(ok), ok).not.toThrow()
    }
    for (const bad of ['(a+)+', '(a|aa)*', '((ab)+)+', '(a*){2,}', '(\\w)\\1', 'a*b*c*d*']) {
      expect(() => checkPattern(bad), bad).toThrow()
    }
  })
})

describe(mappingFieldTypes.name, () => {
  it('follows renames and casts and forgets computed fields', () => {
    const types = mappingFieldTypes(
      [{ field: 'a', type: 'integer' }, { field: 'b', type: 'string' }, { field: 'c', type: 'number' }],
      [{ kind: 'rename', from: 'a', to: 'id' }, { kind: 'cast', field: 'b', to: 'number' }, { kind: 'compute', field: 'c', expression: '1' }],
    )
    expect(types).toEqual({ id: 'integer', b: 'number' })
  })
})
