import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import { normalizeStatement } from './saved-queries.execute.ts'
import { compileQuery, placeholderNames } from './saved-queries.params.ts'

describe(compileQuery.name, () => {
  const definitions = [
    { name: 'ids', type: 'list' as const, required: true },
    { name: 'since', type: 'date' as const },
  ]

  it('expands a list to one bind parameter per element, numbered for PostgreSQL', () => {
    expect(compileQuery('select * from t where id in ({{ids}}) and at > {{ since }}', definitions, { ids: [1, 2, 3], since: '2024-01-02' }, 'postgresql')).toEqual({
      text: 'select * from t where id in ($1, $2, $3) and at > $4',
      values: [1, 2, 3, '2024-01-02'],
    })
  })

  it('uses ? for MySQL and sends a date-time as UTC wall time', () => {
    expect(compileQuery('select {{since}}, {{ids}}', definitions, { ids: ['a'], since: '2024-01-02T03:04:05+02:00' }, 'mysql')).toEqual({
      text: 'select ?, ?',
      values: ['2024-01-02 01:04:05.000', 'a'],
    })
  })

  it('binds NULL for an optional parameter without value or default', () => {
    expect(compileQuery('select {{since}}', definitions, { ids: [1] }, 'postgresql').values).toEqual([null])
  })

  it('refuses a missing required parameter with invalid_query_parameter', () => {
    expect(() => compileQuery('select {{ids}}', definitions, {}, 'postgresql')).toThrow(AppError)
  })

  it('lists the names a text uses, once each', () => {
    expect(placeholderNames('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b'])
  })
})

describe(normalizeStatement.name, () => {
  it('drops leading comments and one trailing semicolon', () => {
    expect(normalizeStatement('-- note\n/* more */ select 1;')).toBe('select 1')
  })
})
