import { describe, expect, it } from 'vitest'
import type { SavedQuery } from './api.ts'
import { changedSinceSave, detectParameters, draftFromQuery, EMPTY_DRAFT, runRequest, syncParameters, toDefinitions, toQueryBody, toRunValues, type ParamDraft } from './queryDraft.ts'

describe(detectParameters.name, () => {
  it('finds {{name}} placeholders once each, in order of first use, with the server\'s naming rule', () => {
    expect(detectParameters('select * from t where a = {{ region }} and b > {{min}} or c = {{region}}')).toEqual(['region', 'min'])
    expect(detectParameters('select {{1bad}}, {{with-dash}}, {{_ok}}, {x}, {{ two words }}')).toEqual(['_ok'])
    expect(detectParameters('select 1')).toEqual([])
  })
})

describe(syncParameters.name, () => {
  it('keeps known parameters, adds new ones with a guessed type and drops removed ones', () => {
    const current: ParamDraft[] = [{ name: 'region', type: 'list', value: 'eu, us' }, { name: 'gone', type: 'number', value: '3' }]
    expect(syncParameters('select * from t where since >= {{since}} and region in ({{region}}) and n > {{min_amount}} and name = {{customer}}', current)).toEqual([
      { name: 'since', type: 'date', value: '' },
      { name: 'region', type: 'list', value: 'eu, us' },
      { name: 'min_amount', type: 'number', value: '' },
      { name: 'customer', type: 'text', value: '' },
    ])
  })
})

describe(toRunValues.name, () => {
  it('types test values, splits lists and leaves empty ones out', () => {
    expect(toRunValues([
      { name: 'n', type: 'number', value: ' 12.5 ' },
      { name: 'd', type: 'date', value: '2024-01-31' },
      { name: 'ids', type: 'list', value: '3, 4,, 5 ' },
      { name: 'who', type: 'text', value: '' },
      { name: 'skip', type: 'number', value: '' },
    ])).toEqual({ values: { n: 12.5, d: '2024-01-31', ids: ['3', '4', '5'], who: '' }, errors: {} })
  })

  it('explains values that do not fit their type', () => {
    expect(toRunValues([{ name: 'n', type: 'number', value: 'ten' }, { name: 'd', type: 'date', value: '31/01/2024' }, { name: 'l', type: 'list', value: ' , ' }]).errors).toEqual({
      n: 'Enter a number',
      d: 'Enter a date as YYYY-MM-DD',
      l: 'Enter at least one value, separated by commas',
    })
  })
})

const saved: SavedQuery = {
  id: 'q1',
  name: 'Orders',
  description: null,
  dataSourceId: 's1',
  queryText: 'select * from orders where placed_at >= {{since}}',
  parameters: [{ name: 'since', type: 'date', default: '2024-01-01' }],
  resultColumns: [],
  cacheDuration: 300,
  rowLimit: 1000,
  timeoutMs: 30000,
  lastRunAt: null,
  createdBy: null,
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
}

describe('saving', () => {
  it('saves test values as defaults and only the parameters the SQL uses', () => {
    expect(toDefinitions([{ name: 'a', type: 'number', value: '5' }, { name: 'b', type: 'text', value: '' }, { name: 'c', type: 'list', value: 'x,y' }])).toEqual([
      { name: 'a', type: 'number', default: 5 },
      { name: 'b', type: 'text' },
      { name: 'c', type: 'list', default: ['x', 'y'] },
    ])
    const body = toQueryBody({ ...EMPTY_DRAFT, name: ' Orders ', dataSourceId: 's1', queryText: 'select {{a}}', parameters: [{ name: 'a', type: 'number', value: '1' }, { name: 'stale', type: 'text', value: 'x' }] })
    expect(body).toMatchObject({ name: 'Orders', description: null, parameters: [{ name: 'a', type: 'number', default: 1 }], cacheDuration: 300, rowLimit: 1000, timeoutMs: 30000 })
  })

  it('loads a saved query back into the editor', () => {
    expect(draftFromQuery(saved)).toMatchObject({ name: 'Orders', parameters: [{ name: 'since', type: 'date', value: '2024-01-01' }], cacheDuration: '300' })
  })
})

describe(runRequest.name, () => {
  it('runs the saved query (cache, viewers) while nothing a run depends on changed, the editor\'s SQL as a preview otherwise', () => {
    const draft = draftFromQuery(saved)
    expect(changedSinceSave(draft, saved)).toBe(false)
    expect(runRequest('o1', { ...draft, name: 'Renamed' }, saved, { since: '2024-02-01' })).toEqual({ path: '/orgs/o1/queries/q1/run', body: { params: { since: '2024-02-01' } } })
    const edited = { ...draft, queryText: `${draft.queryText} and total > {{min}}`, parameters: syncParameters(`${draft.queryText} and total > {{min}}`, draft.parameters) }
    expect(changedSinceSave(edited, saved)).toBe(true)
    expect(runRequest('o1', edited, saved, { min: 3 })).toEqual({
      path: '/orgs/o1/queries/preview',
      body: { dataSourceId: 's1', queryText: edited.queryText, parameters: [{ name: 'since', type: 'date' }, { name: 'min', type: 'number' }], params: { min: 3 }, rowLimit: 1000, timeoutMs: 30000 },
    })
    expect(runRequest('o1', { ...EMPTY_DRAFT, dataSourceId: 's2' }, undefined, {}).path).toBe('/orgs/o1/queries/preview')
  })
})
