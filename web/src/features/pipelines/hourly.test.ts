import { describe, expect, it } from 'vitest'
import { fillHours, VOLUME_RANGES, volumeSpan } from './hourly.ts'

describe(fillHours.name, () => {
  it('keeps every hour of the range, counting the hours the API left out as 0', () => {
    const start = Date.UTC(2024, 4, 1, 10)
    const buckets = fillHours([{ hour: '2024-05-01T11:00:00.000Z', recordCount: 12, totalBytes: 900 }], start, 3)
    expect(buckets.map((bucket) => bucket.recordCount)).toEqual([0, 12, 0])
    expect(buckets[1]).toEqual({ start: Date.UTC(2024, 4, 1, 11), recordCount: 12, totalBytes: 900 })
  })
})

describe(volumeSpan.name, () => {
  it('ends with the current hour and starts on a whole hour', () => {
    const now = Date.UTC(2024, 4, 8, 14, 25)
    const span = volumeSpan(VOLUME_RANGES[0], now)
    expect(span.from).toBe('2024-05-07T15:00:00.000Z')
    expect(span.to).toBe('2024-05-08T14:25:00.000Z')
    expect(volumeSpan(VOLUME_RANGES[1], now).start).toBe(Date.UTC(2024, 4, 1, 15))
  })
})
