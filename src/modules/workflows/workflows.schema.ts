import { Type, type Static, type TSchema } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
// Null first: with Fastify's coerceTypes, a string branch listed first would turn null into "".
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema])

export const PipelineRunParams = Type.Object({ orgId: Type.String(), pipelineId: Uuid })
export const RunParams = Type.Object({ orgId: Type.String(), runId: Uuid })

const L = Type.Literal
export const ExecutionStatus = Type.Union(
  [L('Created'), L('Queued'), L('InProgress'), L('Success'), L('Failed'), L('Cancelling'), L('Cancelled'), L('Timeout')],
  { description: 'Queued → InProgress → Success | Failed | Timeout; Cancelling → Cancelled; a failed attempt with retries left goes back to Queued' },
)
export const StageStatus = Type.Union([L('Created'), L('InProgress'), L('Success'), L('Failed'), L('Skipped'), L('Cancelled'), L('Timeout')])

export const TriggerRunBody = Type.Object(
  {
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: 'Lower numbers run first when runs wait for a slot (default 0)' })),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form execution_context kept with the run' })),
  },
  { additionalProperties: false },
)
export type TriggerRunBody = Static<typeof TriggerRunBody>

export const RunCreatedResponse = Type.Object({
  id: Uuid,
  runNumber: Type.Integer(),
  status: ExecutionStatus,
  parentExecutionId: Nullable(Uuid),
})
export type RunCreatedResponse = Static<typeof RunCreatedResponse>

export const RunListQuery = Type.Object(
  {
    status: Type.Optional(ExecutionStatus),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Runs created at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Runs created before' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
)
export type RunListQuery = Static<typeof RunListQuery>

export const RunResponse = Type.Object({
  id: Uuid,
  pipelineId: Nullable(Uuid),
  workflowId: Uuid,
  runNumber: Type.Integer(),
  status: ExecutionStatus,
  priority: Type.Integer(),
  triggeredBy: Type.Union([Type.Literal('manual'), Type.Literal('schedule'), Type.Literal('api'), Type.Literal('webhook')]),
  triggerUserId: Nullable(Uuid),
  scheduledAt: Nullable(DateTime),
  startedAt: Nullable(DateTime),
  completedAt: Nullable(DateTime),
  durationMinutes: Nullable(Type.Number()),
  currentStage: Nullable(Type.String()),
  currentStageOrder: Type.Integer(),
  totalStages: Type.Integer(),
  stagesCompleted: Type.Integer(),
  progressPercentage: Type.Number(),
  contentProcessed: Type.Integer({ description: 'Records that went through processing' }),
  bytesProcessed: Type.Number({ description: 'Bytes fetched' }),
  errorMessage: Nullable(Type.String()),
  errorCode: Nullable(Type.String()),
  retryCount: Type.Integer({ description: 'Automatic retries so far (a retry restarts the run from the start)' }),
  parentExecutionId: Nullable(Uuid),
  cancelRequestedAt: Nullable(DateTime),
  timeoutAt: Nullable(DateTime),
  executionContext: Type.Unknown(),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type RunResponse = Static<typeof RunResponse>

export const StageResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  type: Type.String({ description: 'fetching, processing, storing, sinks' }),
  order: Type.Integer(),
  status: StageStatus,
  startedAt: Nullable(DateTime),
  completedAt: Nullable(DateTime),
  durationSeconds: Nullable(Type.Number()),
  itemsToProcess: Type.Integer(),
  itemsProcessed: Type.Integer(),
  itemsSuccessful: Type.Integer(),
  itemsFailed: Type.Integer(),
  progressPercentage: Type.Number(),
  throughputPerSecond: Nullable(Type.Number()),
  output: Type.Unknown(),
  errorMessage: Nullable(Type.String()),
  retryCount: Type.Integer(),
})

export const FetchingResponse = Type.Object({
  id: Uuid,
  status: Type.String(),
  timestamp: DateTime,
  startedAt: Nullable(DateTime),
  completedAt: Nullable(DateTime),
  fetchingTimeSeconds: Nullable(Type.Number()),
  dataSourceId: Nullable(Uuid),
  dataSourceUrl: Nullable(Type.String()),
  dataSourceType: Nullable(Type.String()),
  dataSourceConfig: Type.Unknown({ description: 'Non-secret settings only' }),
  numberOfContent: Type.Integer(),
  totalSizeBytes: Type.Number(),
  contentTypes: Type.Unknown(),
  throughputMbps: Nullable(Type.Number()),
  requestsPerSecond: Nullable(Type.Number()),
  averageResponseTimeMs: Nullable(Type.Integer()),
  errorMessage: Nullable(Type.String()),
  errorCount: Type.Integer(),
  retryAttempts: Type.Integer(),
  headersSent: Type.Unknown({ description: 'Secrets redacted' }),
  headersReceived: Type.Unknown({ description: 'Secrets redacted' }),
})

export const ProcessingResponse = Type.Object({
  id: Uuid,
  fetchingId: Nullable(Uuid),
  status: Type.String(),
  startedAt: Nullable(DateTime),
  completedAt: Nullable(DateTime),
  processingTimeSeconds: Nullable(Type.Number()),
  processingType: Nullable(Type.String()),
  processingAlgorithm: Nullable(Type.String()),
  numberOfProcessingContent: Type.Integer(),
  contentProcessed: Type.Integer(),
  contentSuccessful: Type.Integer(),
  contentFailed: Type.Integer(),
  itemsPerSecond: Nullable(Type.Number()),
  accuracyScore: Nullable(Type.Number({ description: 'Percent of the records that came out as rows' })),
  qualityMetrics: Type.Unknown(),
  errorMessage: Nullable(Type.String()),
  failedItems: Type.Unknown({ description: 'The first 100 record errors: { index, code, message, field? }' }),
  inputHash: Nullable(Type.String()),
  outputHash: Nullable(Type.String()),
})

export const FetchedContentResponse = Type.Object({
  id: Uuid,
  fetchingId: Uuid,
  name: Nullable(Type.String()),
  contentType: Nullable(Type.String()),
  mimeType: Nullable(Type.String()),
  encoding: Nullable(Type.String()),
  fileExtension: Nullable(Type.String()),
  sizeBytes: Nullable(Type.Number()),
  sha256: Nullable(Type.String()),
  preview: Nullable(Type.String({ description: 'The first 2 KB as text' })),
  recordCount: Nullable(Type.Integer()),
  sourceUrl: Nullable(Type.String()),
  httpStatus: Nullable(Type.Integer()),
  responseTimeMs: Nullable(Type.Integer()),
  status: Type.String(),
  fetchedAt: DateTime,
  processedAt: Nullable(DateTime),
})

export const RunDetailResponse = Type.Composite([
  RunResponse,
  Type.Object({
    maxRetries: Nullable(Type.Integer()),
    stages: Type.Array(StageResponse),
    fetchingHistory: Type.Array(FetchingResponse),
    processingHistory: Type.Array(ProcessingResponse),
    fetchedContents: Type.Array(FetchedContentResponse, { description: 'At most 500, in fetch order' }),
  }),
])
export type RunDetailResponse = Static<typeof RunDetailResponse>

export const StatisticsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 30 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  },
  { additionalProperties: false },
)
export type StatisticsQuery = Static<typeof StatisticsQuery>

export const StatisticsResponse = Type.Object({
  pipelineId: Uuid,
  workflowId: Nullable(Uuid),
  from: DateTime,
  to: DateTime,
  totalExecutions: Type.Integer({ description: 'Runs started in the period' }),
  successfulExecutions: Type.Integer(),
  failedExecutions: Type.Integer({ description: 'Failed or Timeout' }),
  successRate: Nullable(Type.Number({ description: 'Percent' })),
  previousSuccessRate: Nullable(Type.Number({ description: 'Percent, over the previous period of equal length' })),
  trendDirection: Type.Union([Type.Literal('improving'), Type.Literal('declining'), Type.Literal('stable'), Type.Literal('unknown')]),
  avgDurationMinutes: Nullable(Type.Number()),
  medianDurationMinutes: Nullable(Type.Number()),
  totalContentProcessed: Type.Number(),
  avgContentPerExecution: Nullable(Type.Number()),
  lastExecutionDate: Nullable(DateTime),
})
export type StatisticsResponse = Static<typeof StatisticsResponse>

export const WorkflowResponse = Type.Object({
  id: Uuid,
  pipelineId: Nullable(Uuid),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: Type.String(),
  timeoutMinutes: Type.Integer(),
  maxRetries: Type.Integer(),
  scheduleCron: Nullable(Type.String()),
  category: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  version: Type.Integer(),
  totalExecutions: Type.Integer(),
  successfulExecutions: Type.Integer(),
  failedExecutions: Type.Integer(),
  lastExecutionAt: Nullable(DateTime),
  averageDurationMinutes: Nullable(Type.Number()),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type WorkflowResponse = Static<typeof WorkflowResponse>

export const UpdateWorkflowBody = Type.Object(
  {
    timeoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080, description: 'A run still going after this long ends Timeout' })),
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Automatic retries of a failed run, with exponential backoff' })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
    category: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateWorkflowBody = Static<typeof UpdateWorkflowBody>

export const TemplateResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  templateName: Type.String(),
  category: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  version: Type.Integer(),
  configuration: Type.Unknown(),
})
export type TemplateResponse = Static<typeof TemplateResponse>
