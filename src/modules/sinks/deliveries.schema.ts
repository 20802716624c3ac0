import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const DeliveryParams = Type.Object({ orgId: Type.String(), pipelineId: Uuid, sinkId: Uuid, deliveryId: Uuid })

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('delivering'), Type.Literal('delivered'), Type.Literal('failed')], {
  description: 'pending (waiting for its first attempt or a retry), delivering (an attempt is under way), delivered, failed (a permanent error, or retries used up)',
})

export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
)
export type DeliveryListQuery = Static<typeof DeliveryListQuery>

export const DeliveryResponse = Type.Object({
  id: Uuid,
  sinkId: Uuid,
  pipelineId: Uuid,
  executionId: Nullable(Uuid),
  ingestionJobId: Nullable(Uuid),
  status: DeliveryStatus,
  recordCount: Type.Integer(),
  attempts: Type.Integer({ description: 'Attempts made (a manual retry starts again from 0)' }),
  hop: Type.Integer({ description: 'Pipeline sinks the batch passed through before this pipeline (at most 5)' }),
  nextAttemptAt: Nullable(DateTime),
  lastAttemptAt: Nullable(DateTime),
  lastError: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer({ description: "A webhook receiver's last HTTP status" })),
  deliveredAt: Nullable(DateTime),
  payloadKept: Type.Boolean({ description: 'False once a delivered batch of a pipeline that keeps no data (p2p) was dropped' }),
  createdAt: DateTime,
})
export type DeliveryResponse = Static<typeof DeliveryResponse>

export const DeliveryListResponse = Type.Object({ deliveries: Type.Array(DeliveryResponse, { description: 'Newest first' }) })

export const SinkDeliveryState = Type.Object({
  pending: Type.Integer({ description: 'Batches waiting for delivery or being delivered' }),
  lastDeliveredAt: Nullable(DateTime),
  lastError: Nullable(Type.String({ description: 'The latest failed attempt (it may since have been retried successfully)' })),
  lastErrorAt: Nullable(DateTime),
  recordsDelivered: Type.Integer(),
  recordsFailed: Type.Integer({ description: 'Records of batches that failed for good' }),
})
export type SinkDeliveryState = Static<typeof SinkDeliveryState>
