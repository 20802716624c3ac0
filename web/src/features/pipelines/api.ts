import { api } from '../../lib/api.ts'

export type PipelineType = 'polling' | 'realtime' | 'p2p'
export type PipelineStatus = 'active' | 'paused' | 'error'
export type SinkType = 'webhook' | 'postgresql' | 'pipeline'
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'timestamp' | 'json'
export type CastErrorMode = 'reject' | 'null' | 'default'

export interface FieldMapping {
  path: string
  field: string
  type: FieldType
  required?: boolean
  onCastError?: CastErrorMode
  default?: unknown
}

export type Transformation =
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'cast'; field: string; to: FieldType; onError: CastErrorMode; default?: unknown }
  | { kind: 'default'; field: string; value: unknown }
  | { kind: 'compute'; field: string; expression: string }
  | { kind: 'filter'; expression: string }

export interface MappingSpec {
  sourceSchema?: unknown
  mappings: FieldMapping[]
  transformations: Transformation[]
  timestampField?: string | null
}

export interface Mapping extends MappingSpec {
  sourceSchema: unknown
  timestampField: string | null
  version: number
  updatedAt: string
}

export interface Pipeline {
  id: string
  name: string
  description: string | null
  type: PipelineType
  status: PipelineStatus
  statusReason: string | null
  intervalSeconds: number | null
  cronSchedule: string | null
  dataSourceId: string | null
  sourceType: string | null
  sourceConfig: Record<string, unknown>
  sourceConfigSecrets: string[]
  retentionDays: number | null
  compressAfterDays: number | null
  persistData: boolean
  teamId: string | null
  hasWebhook: boolean
  ingestUrl: string
  mapping: Mapping | null
  sinkCount: number
  lastRunAt: string | null
  nextRunAt: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
}

export interface Sink {
  id: string
  pipelineId: string
  sinkType: SinkType
  name: string | null
  isActive: boolean
  config: Record<string, unknown>
  secretFields: string[]
  targetPipelineId: string | null
  delivery: SinkDeliveryState
  createdAt: string
  updatedAt: string
}

/** GET …/sinks: each sink's outbox (src/modules/sinks/deliveries.schema.ts). */
export interface SinkDeliveryState {
  /** Batches waiting for delivery or being delivered. */
  pending: number
  lastDeliveredAt: string | null
  /** The latest failed attempt; it may since have been retried successfully. */
  lastError: string | null
  lastErrorAt: string | null
  recordsDelivered: number
  /** Records of batches that failed for good. */
  recordsFailed: number
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed'

export interface Delivery {
  id: string
  sinkId: string
  pipelineId: string
  executionId: string | null
  ingestionJobId: string | null
  status: DeliveryStatus
  recordCount: number
  attempts: number
  hop: number
  nextAttemptAt: string | null
  lastAttemptAt: string | null
  lastError: string | null
  lastStatusCode: number | null
  deliveredAt: string | null
  payloadKept: boolean
  createdAt: string
}

export interface CreatedSink extends Sink {
  signingSecret?: string
}

export interface CreatedPipeline extends Pipeline {
  webhookUrl?: string
  sinks: CreatedSink[]
}

export interface PipelineInput {
  name?: string
  type?: PipelineType
  description?: string | null
  intervalSeconds?: number | null
  cronSchedule?: string | null
  dataSourceId?: string | null
  sourceConfig?: Record<string, unknown>
  retentionDays?: number | null
  compressAfterDays?: number | null
  persistData?: boolean
}

export interface SinkInput {
  sinkType: SinkType
  name?: string | null
  config?: Record<string, unknown>
  targetPipelineId?: string
}

export interface PreviewResult {
  rows: Array<{ index: number; data: Record<string, unknown>; recordTime: string | null }>
  errors: Array<{ index: number; code: string; message: string; field?: string }>
  filtered: number
}

export interface DataRow {
  id: string
  data: unknown
  ingestedAt: string
  recordTime: string
}

export const TYPE_LABELS: Record<PipelineType, string> = { polling: 'Polling', realtime: 'Realtime', p2p: 'Pass-through (p2p)' }

export const STATUS: Record<PipelineStatus, { label: string; tone: string }> = {
  active: { label: 'Active', tone: 'success' },
  paused: { label: 'Paused', tone: 'warning' },
  error: { label: 'Error', tone: 'danger' },
}

const base = (orgId: string) => `/orgs/${orgId}/pipelines`

export const pipelinesApi = {
  create: (orgId: string, body: PipelineInput & { name: string; type: PipelineType }) => api.post<CreatedPipeline>(base(orgId), body),
  update: (orgId: string, id: string, body: PipelineInput) => api.patch<Pipeline>(`${base(orgId)}/${id}`, body),
  remove: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}`),
  pause: (orgId: string, id: string, reason?: string) => api.post<Pipeline>(`${base(orgId)}/${id}/pause`, reason ? { reason } : {}),
  resume: (orgId: string, id: string) => api.post<Pipeline>(`${base(orgId)}/${id}/resume`),
  runNow: (orgId: string, id: string) => api.post<{ id: string; runNumber: number; status: string }>(`${base(orgId)}/${id}/runs`),
  rotateWebhook: (orgId: string, id: string) => api.post<{ webhookUrl: string }>(`${base(orgId)}/${id}/webhook-secret`),
  putMapping: (orgId: string, id: string, spec: MappingSpec) => api.put<Mapping>(`${base(orgId)}/${id}/mapping`, spec),
  deleteMapping: (orgId: string, id: string) => api.delete(`${base(orgId)}/${id}/mapping`),
  preview: (orgId: string, mapping: MappingSpec, sample: unknown[]) => api.post<PreviewResult>(`/orgs/${orgId}/mappings/preview`, { mapping, sample }),
  addSink: (orgId: string, id: string, body: SinkInput) => api.post<CreatedSink>(`${base(orgId)}/${id}/sinks`, body),
  removeSink: (orgId: string, id: string, sinkId: string) => api.delete(`${base(orgId)}/${id}/sinks/${sinkId}`),
  retryDelivery: (orgId: string, id: string, sinkId: string, deliveryId: string) => api.post<Delivery>(`${base(orgId)}/${id}/sinks/${sinkId}/deliveries/${deliveryId}/retry`),
}

/** "every 5 minutes" / "cron 0 * * * *" / "—". */
export function scheduleText(pipeline: Pick<Pipeline, 'intervalSeconds' | 'cronSchedule'>): string {
  if (pipeline.cronSchedule) {
    return `cron ${pipeline.cronSchedule}`
  }
  const seconds = pipeline.intervalSeconds
  if (!seconds) {
    return '—'
  }
  if (seconds % 86_400 === 0) {
    return seconds === 86_400 ? 'every day' : `every ${seconds / 86_400} days`
  }
  if (seconds % 3600 === 0) {
    return seconds === 3600 ? 'every hour' : `every ${seconds / 3600} hours`
  }
  if (seconds % 60 === 0) {
    return seconds === 60 ? 'every minute' : `every ${seconds / 60} minutes`
  }
  return `every ${seconds} seconds`
}
