import { Type, type Static } from '@sinclair/typebox'

const periodLiterals = () => [Type.Literal('1m'), Type.Literal('5m'), Type.Literal('15m'), Type.Literal('1h'), Type.Literal('1d'), Type.Literal('1w')] as const
export const PeriodSchema = Type.Union([...periodLiterals()])
export type Period = Static<typeof PeriodSchema>

export const PerformanceMetricsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (inclusive, ISO 8601 with time zone); default 24 hours before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End (exclusive, ISO 8601 with time zone); default now' })),
    period: Type.Optional(Type.Union([...periodLiterals()], {
      description: 'Aggregation period; by default picked from the range so a series has at most about 500 points (≤ 6 h: 1m, ≤ 36 h: 5m, ≤ 2 d: 15m, ≤ 14 d: 1h, longer: 1d)',
    })),
    names: Type.Optional(Type.String({
      maxLength: 1000,
      pattern: '^[a-z0-9_]+(,[a-z0-9_]+)*$',
      description: 'Comma-separated metric names to return (default: all), e.g. http_request_duration_ms,http_requests_per_second',
    })),
  },
  { additionalProperties: false },
)
export type PerformanceMetricsQuery = Static<typeof PerformanceMetricsQuery>

const Series = Type.Object({
  name: Type.String({ description: 'Metric name, see docs/performance-metrics.md' }),
  labels: Type.Record(Type.String(), Type.String(), { description: 'e.g. { stat: "p95" } or { route, method, stat }' }),
  unit: Type.Union([Type.String(), Type.Null()], { description: 'ms, per_second, percent, connections, count' }),
  points: Type.Array(Type.Tuple([Type.String({ format: 'date-time' }), Type.Number()]), { description: '[bucket start, value], oldest first' }),
})

export const PerformanceMetricsResponse = Type.Object({
  period: PeriodSchema,
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  asOf: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Start of the newest aggregated bucket of this period; null before the first aggregation' }),
  series: Type.Array(Series),
})
export type PerformanceMetricsResponse = Static<typeof PerformanceMetricsResponse>
