import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])
const Decimal = Type.Number({ minimum: -99_999_999_999.9999, maximum: 99_999_999_999.9999, description: 'numeric(15,4)' })

export const MetricParams = Type.Object({ orgId: Type.String(), metricId: Uuid })
export const KpiParams = Type.Object({ orgId: Type.String(), kpiId: Uuid })

export const AggregationType = Type.Union([Type.Literal('sum'), Type.Literal('avg'), Type.Literal('count'), Type.Literal('min'), Type.Literal('max')])
export const MetricSource = Type.Union([Type.Literal('push'), Type.Literal('pipeline'), Type.Literal('data_source')])

export const Thresholds = Type.Object(
  {
    warning: Type.Optional(Nullable(Decimal)),
    critical: Type.Optional(Nullable(Decimal)),
    direction: Type.Optional(Type.Union([Type.Literal('above'), Type.Literal('below')], { description: 'above: values over the threshold are bad (default)' })),
  },
  { additionalProperties: false },
)

const metricFields = {
  displayName: Type.String({ minLength: 1, maxLength: 255 }),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  unit: Type.String({ minLength: 1, maxLength: 50, description: 'count, percentage, currency, seconds, bytes, … (free text)' }),
  aggregationType: AggregationType,
  source: MetricSource,
  pipelineId: Nullable(Uuid),
  valuePath: Nullable(Type.String({ minLength: 1, maxLength: 1000, description: "JSONPath of the value in the pipeline's stored records, e.g. $.amount" })),
  dimensionPaths: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' }), Type.String({ minLength: 1, maxLength: 1000 }), {
    description: 'Dimension name → JSONPath in the record (source pipeline)',
  }),
  dataSourceId: Nullable(Uuid),
  calculationMethod: Type.String({ maxLength: 100_000, description: 'source data_source: a SELECT returning value [, timestamp] [, other columns as dimensions]' }),
  refreshFrequency: Type.Integer({ minimum: 10, maximum: 31_536_000, description: 'Seconds between calculations (source data_source)' }),
  thresholds: Thresholds,
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
  isActive: Type.Boolean(),
  compressAfterDays: Nullable(Type.Integer({ minimum: 1, maximum: 36_500 })),
  rawRetentionDays: Nullable(Type.Integer({ minimum: 1, maximum: 36_500 })),
}

const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$', description: 'Unique in the organization; letters, digits, _ . : -' })

export const CreateMetricBody = Type.Object(
  {
    name: Name,
    displayName: metricFields.displayName,
    description: Type.Optional(metricFields.description),
    unit: Type.Optional(metricFields.unit),
    aggregationType: Type.Optional(metricFields.aggregationType),
    source: Type.Optional(metricFields.source),
    pipelineId: Type.Optional(metricFields.pipelineId),
    valuePath: Type.Optional(metricFields.valuePath),
    dimensionPaths: Type.Optional(metricFields.dimensionPaths),
    dataSourceId: Type.Optional(metricFields.dataSourceId),
    calculationMethod: Type.Optional(metricFields.calculationMethod),
    refreshFrequency: Type.Optional(metricFields.refreshFrequency),
    thresholds: Type.Optional(metricFields.thresholds),
    tags: Type.Optional(metricFields.tags),
    isActive: Type.Optional(metricFields.isActive),
    compressAfterDays: Type.Optional(metricFields.compressAfterDays),
    rawRetentionDays: Type.Optional(metricFields.rawRetentionDays),
  },
  { additionalProperties: false },
)
export type CreateMetricBody = Static<typeof CreateMetricBody>

export const UpdateMetricBody = Type.Partial(Type.Object({ name: Name, ...metricFields }), { additionalProperties: false })
export type UpdateMetricBody = Static<typeof UpdateMetricBody>

export const MetricResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  ...metricFields,
  lastCalculatedAt: Nullable(DateTime),
  lastCalculationError: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type MetricResponse = Static<typeof MetricResponse>

export const MetricListQuery = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 255, description: 'Substring of the name or display name' })),
    tag: Type.Optional(Type.String({ maxLength: 100 })),
    source: Type.Optional(MetricSource),
  },
  { additionalProperties: false },
)

export const TargetType = Type.Union([Type.Literal('exact'), Type.Literal('minimum'), Type.Literal('maximum'), Type.Literal('range')])
export const TimePeriod = Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly'), Type.Literal('quarterly')])

export const KpiChannel = Type.Union([Type.Literal('email'), Type.Literal('in_app')])

/**
 * What the KPI form writes into alert_rules. Keys it does not know are kept as given (the
 * column is free JSON in seed 000), so other writers' rules survive an edit in the UI.
 */
export const KpiAlertRules = Type.Object(
  {
    attainmentPercent: Type.Optional(
      // A type list, not a union: with coerceTypes a union can turn null into 0.
      Type.Unsafe<number | null>({
        type: ['number', 'null'],
        minimum: 1,
        maximum: 1000,
        description: 'minimum, exact, range: alert when the period value is under this percent of the target (range: of the lower bound); maximum: when it passes this percent of the maximum',
      }),
    ),
    onCritical: Type.Optional(Type.Boolean({ description: "Alert when the metric's latest value crosses its critical threshold" })),
    notify: Type.Optional(Type.Array(KpiChannel, { uniqueItems: true, maxItems: 2, description: 'Channels; at least one when a rule is set' })),
  },
  { additionalProperties: true },
)
export type KpiAlertRules = Static<typeof KpiAlertRules>

const kpiFields = {
  metricId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  targetValue: Nullable(Decimal),
  targetMax: Nullable(Decimal),
  targetType: TargetType,
  timePeriod: TimePeriod,
  alertRules: KpiAlertRules,
  isActive: Type.Boolean(),
}

export const CreateKpiBody = Type.Object(
  {
    metricId: kpiFields.metricId,
    name: kpiFields.name,
    description: Type.Optional(kpiFields.description),
    targetValue: Type.Optional(kpiFields.targetValue),
    targetMax: Type.Optional(kpiFields.targetMax),
    targetType: Type.Optional(kpiFields.targetType),
    timePeriod: Type.Optional(kpiFields.timePeriod),
    alertRules: Type.Optional(kpiFields.alertRules),
    isActive: Type.Optional(kpiFields.isActive),
  },
  { additionalProperties: false },
)
/** alertRules as any record: the route's type provider reads Type.Unsafe as unknown; Ajv has checked the shape. */
type WithLooseRules<T> = Omit<T, 'alertRules'> & { alertRules?: Record<string, unknown> }
export type CreateKpiBody = WithLooseRules<Static<typeof CreateKpiBody>>
export const UpdateKpiBody = Type.Partial(Type.Object(kpiFields), { additionalProperties: false })
export type UpdateKpiBody = WithLooseRules<Static<typeof UpdateKpiBody>>

// The response takes alert_rules as stored: rows written before the shape above, or by other
// writers, must still serialize.
export const KpiResponse = Type.Object({ id: Uuid, ...kpiFields, alertRules: Type.Record(Type.String(), Type.Unknown(), { description: 'See KpiAlertRules' }), createdAt: DateTime, updatedAt: DateTime })
export type KpiResponse = Static<typeof KpiResponse>
export const KpiListQuery = Type.Object({ metricId: Type.Optional(Uuid) }, { additionalProperties: false })

export const PointsQuery = Type.Object(
  { atomic: Type.Optional(Type.Boolean({ default: false, description: 'true: a batch with any invalid point stores nothing and answers 422' })) },
  { additionalProperties: false },
)
export const PointsHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A replay of a completed batch with this key answers the stored result and stores nothing again' })),
})
export const PointError = Type.Object({
  index: Type.Integer({ description: 'Position of the point in the batch (0-based)' }),
  code: Type.String({ description: 'invalid_point, invalid_timestamp, invalid_value, value_out_of_range, timestamp_out_of_range, unknown_metric, metric_inactive' }),
  message: Type.String(),
})
export type PointError = Static<typeof PointError>
export const PointsResponse = Type.Object({
  accepted: Type.Integer({ description: 'Points stored' }),
  rejected: Type.Integer({ description: 'Points refused; see errors' }),
  late: Type.Integer({ description: 'Of the accepted points, those older than the oldest raw partition (kept apart until compression merges them)' }),
  errors: Type.Array(PointError),
})
export type PointsResponse = Static<typeof PointsResponse>
