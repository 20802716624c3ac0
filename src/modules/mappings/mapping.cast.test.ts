import { describe, expect, it } from 'vitest'
import { CAST_FAILED, casterFor, parseTimestampMs } from './mapping.cast.ts'

describe(casterFor.name, () => {
  it('casts to string from strings, finite numbers and booleans only', () => {
    const cast = casterFor('string')
    expect(cast('abc')).toBe('abc')
    expect(cast(1.5)).toBe('1.5')
    expect(cast(false)).toBe('false')
    expect(cast(Infinity)).toBe(CAST_FAILED)
    expect(cast({ a: 1 })).toBe(CAST_FAILED)
    expect(cast([1])).toBe(CAST_FAILED)
  })

  it('casts to number and rejects NaN, Infinity and non-numeric strings', () => {
    const cast = casterFor('number')
    expect(cast(3.25)).toBe(3.25)
    expect(cast('42')).toBe(42)
    expect(cast(' -1.5e3 ')).toBe(-1500)
    expect(cast('.5')).toBe(0.5)
    for (const bad of [NaN, Infinity, -Infinity, 'abc', '', '  ', '0x10', '1_000', 'Infinity', 'NaN', '1e999', '12px', true, null, [], {}]) {
      expect(cast(bad), String(bad)).toBe(CAST_FAILED)
    }
  })

  it('casts to integer and rejects fractions and unsafe magnitudes', () => {
    const cast = casterFor('integer')
    expect(cast(7)).toBe(7)
    expect(cast('-12')).toBe(-12)
    expect(cast(2.0)).toBe(2)
    expect(cast('3.0')).toBe(3)
    expect(cast(1.5)).toBe(CAST_FAILED)
    expect(cast('1.5')).toBe(CAST_FAILED)
    expect(cast(2 ** 53)).toBe(CAST_FAILED)
    expect(cast('abc')).toBe(CAST_FAILED)
  })

  it('casts to boolean from true/false, "true"/"false" and 0/1 only', () => {
    const cast = casterFor('boolean')
    expect([true, 'true', 1].map(cast)).toEqual([true, true, true])
    expect([false, 'false', 0].map(cast)).toEqual([false, false, false])
    for (const bad of ['yes', 'TRUE', '1', 2, -1, 'no', {}, []]) {
      expect(cast(bad), String(bad)).toBe(CAST_FAILED)
    }
  })

  it('casts ISO 8601 strings and epoch seconds or milliseconds to an ISO string', () => {
    const cast = casterFor('timestamp')
    expect(cast('2024-03-01T12:30:00Z')).toBe('2024-03-01T12:30:00.000Z')
    expect(cast('2024-03-01T12:30:00.000Z')).toBe('2024-03-01T12:30:00.000Z')
    expect(cast('2024-03-01T12:30:00+02:00')).toBe('2024-03-01T10:30:00.000Z')
    expect(cast('2024-03-01T12:30:00.123456-0130')).toBe('2024-03-01T14:00:00.123Z')
    expect(cast('2024-03-01 12:30')).toBe('2024-03-01T12:30:00.000Z')
    expect(cast('2024-03-01')).toBe('2024-03-01T00:00:00.000Z')
    expect(cast(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z')
    expect(cast(1_700_000_000_123)).toBe('2023-11-14T22:13:20.123Z')
    expect(cast(1_700_000_000.5)).toBe('2023-11-14T22:13:20.500Z')
    expect(cast('1700000000')).toBe('2023-11-14T22:13:20.000Z')
    expect(cast('0050-06-01T00:00:00Z')).toBe('0050-06-01T00:00:00.000Z')
  })

  it('rejects impossible or malformed timestamps', () => {
    const cast = casterFor('timestamp')
    for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-01T24:00:00Z', '2024-01-01T10:60', '2024-01-01T10:00:00+25:00',
      '2024-02-30T00:00:00.000Z', 'yesterday', '01/02/2024', '2024-01-01Z', '', '0000-01-01T00:00:00Z', Infinity, NaN, true, {}, [2024]]) {
      expect(cast(bad), String(bad)).toBe(CAST_FAILED)
    }
  })

  it('passes any value through as json', () => {
    const value = { nested: [1, { a: null }] }
    expect(casterFor('json')(value)).toBe(value)
    expect(casterFor('json')('text')).toBe('text')
  })
})

describe(parseTimestampMs.name, () => {
  it('reads a string without an offset as UTC, whatever the server time zone', () => {
    expect(parseTimestampMs('2024-06-01T00:00:00')).toBe(Date.UTC(2024, 5, 1))
  })

  it('accepts valid Dates and refuses years beyond 9999', () => {
    expect(parseTimestampMs(new Date(5))).toBe(5)
    expect(parseTimestampMs(new Date(NaN))).toBeNaN()
    expect(parseTimestampMs(253402300800000)).toBeNaN()
    expect(parseTimestampMs('9999-12-31T23:59:59.999Z')).toBe(253402300799999)
  })
})
