import { api } from '../../lib/api.ts'

/** The pipeline-run shapes of /api/v1 (src/modules/workflows/workflows.schema.ts). */

export type RunStatus = 'Created' | 'Queued' | 'InProgress' | 'Success' | 'Failed' | 'Cancelling' | 'Cancelled' | 'Timeout'
export type StageStatus = 'Created' | 'InProgress' | 'Success' | 'Failed' | 'Skipped' | 'Cancelled' | 'Timeout'
export type TriggeredBy = 'manual' | 'schedule' | 'api' | 'webhook'

export interface Run {
  id: string
  pipelineId: string | null
  workflowId: string
  runNumber: number
  status: RunStatus
  priority: number
  triggeredBy: TriggeredBy
  triggerUserId: string | null
  scheduledAt: string | null
  startedAt: string | null
  completedAt: string | null
  durationMinutes: number | null
  currentStage: string | null
  currentStageOrder: number
  totalStages: number
  stagesCompleted: number
  progressPercentage: number
  contentProcessed: number
  bytesProcessed: number
  errorMessage: string | null
  errorCode: string | null
  retryCount: number
  parentExecutionId: string | null
  cancelRequestedAt: string | null
  timeoutAt: string | null
  createdAt: string
  updatedAt: string
}

export interface Stage {
  id: string
  name: string
  type: string
  order: number
  status: StageStatus
  startedAt: string | null
  completedAt: string | null
  durationSeconds: number | null
  itemsToProcess: number
  itemsProcessed: number
  itemsSuccessful: number
  itemsFailed: number
  progressPercentage: number
  throughputPerSecond: number | null
  output: unknown
  errorMessage: string | null
  retryCount: number
}

export interface Fetching {
  id: string
  status: string
  startedAt: string | null
  completedAt: string | null
  fetchingTimeSeconds: number | null
  dataSourceUrl: string | null
  dataSourceType: string | null
  numberOfContent: number
  totalSizeBytes: number
  throughputMbps: number | null
  requestsPerSecond: number | null
  averageResponseTimeMs: number | null
  errorMessage: string | null
  errorCount: number
  retryAttempts: number
}

export interface Processing {
  id: string
  fetchingId: string | null
  status: string
  startedAt: string | null
  completedAt: string | null
  processingTimeSeconds: number | null
  processingType: string | null
  processingAlgorithm: string | null
  numberOfProcessingContent: number
  contentProcessed: number
  contentSuccessful: number
  contentFailed: number
  itemsPerSecond: number | null
  accuracyScore: number | null
  qualityMetrics: unknown
  errorMessage: string | null
  failedItems: unknown
}

export interface FetchedContent {
  id: string
  fetchingId: string
  name: string | null
  contentType: string | null
  mimeType: string | null
  sizeBytes: number | null
  sha256: string | null
  preview: string | null
  recordCount: number | null
  sourceUrl: string | null
  httpStatus: number | null
  responseTimeMs: number | null
  status: string
  fetchedAt: string
  processedAt: string | null
}

export interface RunDetail extends Run {
  maxRetries: number | null
  stages: Stage[]
  fetchingHistory: Fetching[]
  processingHistory: Processing[]
  fetchedContents: FetchedContent[]
}

export interface RunCreated {
  id: string
  runNumber: number
  status: RunStatus
  parentExecutionId: string | null
}

export interface Statistics {
  pipelineId: string
  workflowId: string | null
  from: string
  to: string
  totalExecutions: number
  successfulExecutions: number
  failedExecutions: number
  successRate: number | null
  previousSuccessRate: number | null
  trendDirection: 'improving' | 'declining' | 'stable' | 'unknown'
  avgDurationMinutes: number | null
  medianDurationMinutes: number | null
  totalContentProcessed: number
  avgContentPerExecution: number | null
  lastExecutionDate: string | null
}

export interface Workflow {
  id: string
  pipelineId: string | null
  name: string
  description: string | null
  status: string
  timeoutMinutes: number
  maxRetries: number
  scheduleCron: string | null
  category: string | null
  tags: string[]
  version: number
  totalExecutions: number
  successfulExecutions: number
  failedExecutions: number
  lastExecutionAt: string | null
  averageDurationMinutes: number | null
}

export interface WorkflowChanges {
  timeoutMinutes?: number
  maxRetries?: number
  description?: string | null
  category?: string | null
  tags?: string[]
}

/** The few pipeline fields these pages show (the pipelines feature owns the rest). */
export interface PipelineSummary {
  id: string
  name: string
  type: 'polling' | 'realtime' | 'p2p'
  status: string
  intervalSeconds: number | null
  cronSchedule: string | null
  dataSourceId: string | null
}

export const pipelinePath = (orgId: string, pipelineId: string) => `/orgs/${orgId}/pipelines/${pipelineId}`
export const runPath = (orgId: string, runId: string) => `/orgs/${orgId}/runs/${runId}`

export const runsApi = {
  trigger: (orgId: string, pipelineId: string) => api.post<RunCreated>(`${pipelinePath(orgId, pipelineId)}/runs`, {}),
  cancel: (orgId: string, runId: string) => api.post<RunCreated>(`${runPath(orgId, runId)}/cancel`, {}),
  retry: (orgId: string, runId: string) => api.post<RunCreated>(`${runPath(orgId, runId)}/retry`, {}),
  updateWorkflow: (orgId: string, pipelineId: string, body: WorkflowChanges) => api.patch<Workflow>(`${pipelinePath(orgId, pipelineId)}/workflow`, body),
  updateSchedule: (orgId: string, pipelineId: string, cronSchedule: string | null) => api.patch<PipelineSummary>(pipelinePath(orgId, pipelineId), { cronSchedule }),
  list: (orgId: string, pipelineId: string, query: { from?: string; limit: number; offset: number }) => api.get<{ runs: Run[] }>(`${pipelinePath(orgId, pipelineId)}/runs`, query),
}
