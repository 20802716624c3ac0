import { describe, expect, it } from 'vitest'
import { scale } from './LineChart.tsx'

describe('LineChart scale', () => {
  it('spans the time range horizontally and includes zero and the reference lines vertically', () => {
    const { x, y, lo, hi } = scale([{ t: 0, value: 10 }, { t: 100, value: 20 }], [{ value: 30, label: 'critical', tone: 'danger' }], 0, 100)
    expect(x(0)).toBeLessThan(x(100))
    expect(lo).toBe(0)
    expect(hi).toBeGreaterThanOrEqual(30)
    expect(y(30)).toBeLessThan(y(10))
  })
})
