import { Type, type Static } from '@sinclair/typebox'

/** Longest demo the API loads in one request; the CLI goes further (and scales the volume). */
export const API_MAX_DAYS = 90
export const DEFAULT_DAYS = 30

export const DemoBody = Type.Union([
  Type.Null(),
  Type.Object(
    { days: Type.Optional(Type.Integer({ minimum: 1, maximum: API_MAX_DAYS, description: `Days of data ending now (default ${DEFAULT_DAYS})` })) },
    { additionalProperties: false },
  ),
])
export type DemoBody = Static<typeof DemoBody>

export const DemoResponse = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  organizationSlug: Type.String(),
  dashboards: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), { description: 'One per data set: product metrics, pipelines, workflow runs, service orders' }),
  counts: Type.Object({ metricPoints: Type.Integer(), pipelineRecords: Type.Integer() }),
  durationMs: Type.Integer({ description: 'Server time the load took' }),
})
export type DemoResponse = Static<typeof DemoResponse>
