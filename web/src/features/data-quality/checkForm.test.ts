import { describe, expect, it } from 'vitest'
import { ApiError } from '../../lib/api.ts'
import type { QualityCheck } from './api.ts'
import { pausingCheckName } from './api.ts'
import { checkFieldErrors, checkInput, checkRules, configSummary, draftFromCheck, EMPTY_CHECK, parseAllowed, type CheckDraft } from './checkForm.ts'

const failing = (draft: Partial<CheckDraft>) =>
  checkRules({ ...EMPTY_CHECK, name: 'A check', ...draft })
    .filter(([, ok]) => !ok)
    .map(([field, , message]) => `${field}: ${message}`)

describe(checkRules.name, () => {
  it('asks for a name and at least one required field', () => {
    expect(failing({ name: ' ', fields: '\n' })).toEqual(['name: Enter a name', 'config.fields: Enter at least one field'])
  })

  it('refuses a threshold outside 0–100 % and duplicate fields', () => {
    expect(failing({ threshold: '120', fields: 'id\nid' })).toEqual(['threshold: Use a percentage between 0 and 100', 'config.fields: List each field once'])
  })

  it('needs one accuracy rule, min ≤ max and a valid pattern without back-references', () => {
    expect(failing({ checkType: 'accuracy', field: 'amount' })).toEqual(['config: Set a minimum, a maximum, a pattern or allowed values'])
    expect(failing({ checkType: 'accuracy', field: 'amount', min: '10', max: '5' })).toEqual(['config.min: Must not be greater than the maximum'])
    expect(failing({ checkType: 'accuracy', field: 'code', pattern: '(a)\\1' })[0]).toMatch(/^config.pattern: Back-references/)
    expect(failing({ checkType: 'accuracy', field: 'code', pattern: '[a-' })[0]).toMatch(/^config.pattern: This is not a valid regular expression/)
  })

  it('needs typed fields for consistency unless the mapping is used', () => {
    expect(failing({ checkType: 'consistency', pairs: [{ field: '', type: 'string' }] })[0]).toMatch(/^config.fields: Add at least one field/)
    expect(failing({ checkType: 'consistency', useMapping: true, pairs: [] })).toEqual([])
  })

  it('takes a freshness age of 1 to 525600 whole minutes and ignores the threshold', () => {
    expect(failing({ checkType: 'freshness', maxAgeMinutes: '0', threshold: 'x' })).toEqual(['config.maxAgeMinutes: Use a whole number of minutes between 1 and 525600 (a year)'])
    expect(failing({ checkType: 'freshness', maxAgeMinutes: '90' })).toEqual([])
  })
})

describe(checkInput.name, () => {
  it('sends the threshold as a ratio and the fields as a list', () => {
    expect(checkInput({ ...EMPTY_CHECK, name: ' Ids ', fields: ' order_id \n\nname', threshold: '95', onFailure: 'pause' })).toEqual({
      name: 'Ids', checkType: 'completeness', enabled: true, onFailure: 'pause', threshold: 0.95, config: { fields: ['order_id', 'name'] },
    })
  })

  it('sends only the accuracy rules that are set, reading allowed values as JSON scalars', () => {
    const input = checkInput({ ...EMPTY_CHECK, name: 'Status', checkType: 'accuracy', field: 'status', min: '', max: '10', allowed: 'open\n42\n"42"\nnull\ntrue' })
    expect(input.config).toEqual({ field: 'status', max: 10, allowed: ['open', 42, '42', null, true] })
  })

  it('sends field → type pairs, or useMapping', () => {
    const pairs = [{ field: 'id', type: 'integer' as const }, { field: 'tags', type: 'array' as const }]
    expect(checkInput({ ...EMPTY_CHECK, name: 'Types', checkType: 'consistency', pairs }).config).toEqual({ fields: { id: 'integer', tags: 'array' } })
    expect(checkInput({ ...EMPTY_CHECK, name: 'Types', checkType: 'consistency', useMapping: true }).config).toEqual({ useMapping: true })
  })
})

describe(draftFromCheck.name, () => {
  it('round-trips a stored accuracy check into the form and back', () => {
    const check = { id: 'c1', name: 'Amount', checkType: 'accuracy', config: { field: 'amount', min: 0, allowed: ['a', '1'] }, enabled: false, onFailure: 'warn', threshold: 0.9 } as unknown as QualityCheck
    const draft = draftFromCheck(check)
    expect(draft).toMatchObject({ threshold: '90', field: 'amount', min: '0', allowed: 'a\n"1"', enabled: false })
    expect(checkInput(draft).config).toEqual(check.config)
  })
})

describe(checkFieldErrors.name, () => {
  it('keys server details by the form inputs', () => {
    const error = new ApiError(400, 'validation_failed', 'Invalid', {}, [
      { field: 'body.config.fields.1', message: 'must be string' },
      { field: 'body.threshold', message: 'must be <= 1' },
    ])
    expect((checkFieldErrors(error) as ApiError).fieldErrors).toEqual({ 'config.fields': 'must be string', threshold: 'must be <= 1' })
  })
})

describe('summaries', () => {
  it('describes a config in one line', () => {
    expect(configSummary({ checkType: 'accuracy', config: { field: 'amount', min: 0, max: 100 } })).toBe('amount between 0 and 100')
    expect(configSummary({ checkType: 'consistency', config: { useMapping: true } })).toBe('Types of the pipeline’s mapping')
    expect(parseAllowed('3.5')).toBe(3.5)
  })

  it('finds the check that paused the pipeline in its status reason', () => {
    expect(pausingCheckName('Data quality check "Ids present" (completeness) failed: 50% of 2 checked rows passed')).toBe('Ids present')
    expect(pausingCheckName('Paused by Dana')).toBeUndefined()
  })
})
