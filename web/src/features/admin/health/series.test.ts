import { describe, expect, it } from 'vitest'
import type { MetricSeries } from './api.ts'
import { average, findSeries, latest, poolLines, slowestRoutes, withUnit } from './series.ts'

const s = (name: string, labels: Record<string, string>, values: number[]): MetricSeries => ({
  name,
  labels,
  unit: null,
  points: values.map((v, i) => [`2026-01-01T00:0${i}:00.000Z`, v]),
})

describe('findSeries', () => {
  it('matches the exact label set, so the overall latency is not a route series', () => {
    const series = [s('http_request_duration_ms', { route: '/a', method: 'GET', stat: 'p95' }, [9]), s('http_request_duration_ms', { stat: 'p95' }, [1, 2])]
    expect(latest(findSeries(series, 'http_request_duration_ms', { stat: 'p95' }))).toBe(2)
    expect(average(findSeries(series, 'http_request_duration_ms', { stat: 'p95' }))).toBe(1.5)
    expect(findSeries(series, 'http_requests_per_second')).toBeUndefined()
  })
})

describe('slowestRoutes', () => {
  it('orders routes by their mean p95, with the worst bucket and p50', () => {
    const series = [
      s('http_request_duration_ms', { route: '/fast', method: 'GET', stat: 'p95' }, [10, 20]),
      s('http_request_duration_ms', { route: '/slow', method: 'POST', stat: 'p95' }, [100, 300]),
      s('http_request_duration_ms', { route: '/slow', method: 'POST', stat: 'p50' }, [50, 70]),
    ]
    expect(slowestRoutes(series)).toEqual([
      { route: '/slow', method: 'POST', p95: 200, worstP95: 300, p50: 60, buckets: 2 },
      { route: '/fast', method: 'GET', p95: 15, worstP95: 20, p50: undefined, buckets: 2 },
    ])
  })
})

describe('poolLines', () => {
  it('sums connections of every application per state and bucket', () => {
    const lines = poolLines([
      s('db_pool_connections', { application: 'tessera', state: 'idle' }, [2, 3]),
      s('db_pool_connections', { application: 'other', state: 'idle' }, [1]),
      s('db_pool_connections', { application: 'tessera', state: 'active' }, [1]),
    ])
    expect(lines.map((l) => [l.name, l.points.map((p) => p[1])])).toEqual([['active', [1]], ['idle', [3, 3]]])
  })
})

describe('withUnit', () => {
  it('shows a dash without a unit when there is no value', () => {
    expect(withUnit(undefined, '%')).toBe('—')
    expect(withUnit(12.345, 'ms', 0)).toBe('12 ms')
  })
})
