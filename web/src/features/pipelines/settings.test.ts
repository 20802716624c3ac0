import { describe, expect, it } from 'vitest'
import { EMPTY_DRAFT, pipelineInput, pipelineRules } from './settings.ts'

const failing = (draft: typeof EMPTY_DRAFT) => pipelineRules(draft).filter(([, ok]) => !ok).map(([field]) => field)

describe('pipeline storage settings', () => {
  const draft = { ...EMPTY_DRAFT, name: 'Orders', type: 'realtime' as const }

  it('accepts an empty compression delay (the default) or 1 to 3650 days, nothing else', () => {
    expect(failing(draft)).toEqual([])
    expect(failing({ ...draft, compressAfterDays: '30' })).toEqual([])
    for (const bad of ['0', '3651', '2.5', 'soon']) {
      expect(failing({ ...draft, compressAfterDays: bad })).toEqual(['compressAfterDays'])
    }
  })

  it('sends the delay as a number, and null to go back to the default', () => {
    expect(pipelineInput({ ...draft, compressAfterDays: ' 14 ' }).compressAfterDays).toBe(14)
    expect(pipelineInput({ ...draft, compressAfterDays: '' }).compressAfterDays).toBeNull()
  })
})
