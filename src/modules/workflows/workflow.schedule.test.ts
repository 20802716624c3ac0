import { describe, expect, it } from 'vitest'
import { preview } from './workflow.stages.ts'
import { nextCronRun, nextPipelineRun } from './workflow.schedule.ts'

const at = (iso: string) => new Date(iso)

describe(nextCronRun.name, () => {
  it('finds the next matching minute strictly after the given time, in UTC', () => {
    expect(nextCronRun('*/15 * * * *', at('2024-05-01T10:07:30Z'))).toEqual(at('2024-05-01T10:15:00Z'))
    expect(nextCronRun('*/15 * * * *', at('2024-05-01T10:15:00Z'))).toEqual(at('2024-05-01T10:30:00Z'))
    expect(nextCronRun('0 3 * * 1', at('2024-05-01T10:00:00Z'))).toEqual(at('2024-05-06T03:00:00Z'))
    expect(nextCronRun('30 0 1 1 *', at('2024-05-01T10:00:00Z'))).toEqual(at('2025-01-01T00:30:00Z'))
  })

  it('answers null for an expression it cannot parse or that never fires', () => {
    expect(nextCronRun('every day', at('2024-05-01T10:00:00Z'))).toBeNull()
    expect(nextCronRun('61 * * * *', at('2024-05-01T10:00:00Z'))).toBeNull()
    expect(nextCronRun('0 0 31 2 *', at('2024-05-01T10:00:00Z'))).toBeNull()
  })
})

describe(nextPipelineRun.name, () => {
  it('prefers the cron schedule, else adds the interval', () => {
    const now = at('2024-05-01T10:07:00Z')
    expect(nextPipelineRun({ interval_seconds: 90, cron_schedule: null }, now)).toEqual(at('2024-05-01T10:08:30Z'))
    expect(nextPipelineRun({ interval_seconds: 90, cron_schedule: '0 * * * *' }, now)).toEqual(at('2024-05-01T11:00:00Z'))
    expect(nextPipelineRun({ interval_seconds: null, cron_schedule: null }, now)).toBeNull()
  })
})

describe(preview.name, () => {
  it('keeps the first 2 KB of the JSON text without splitting a character', () => {
    expect(preview([{ a: 1 }])).toBe('[{"a":1}]')
    const long = preview([{ text: 'é'.repeat(5000) }])
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(2048)
    expect(long.endsWith('é')).toBe(true)
    expect(long).not.toContain('\uFFFD')
  })
})
