import type { Static } from '@sinclair/typebox'
import type { ContentRow, FetchingRow, ProcessingRow, StageRow } from './run-history.repository.ts'
import type { ExecutionRow, StatisticsRow, WorkflowRow } from './workflows.repository.ts'
import type {
  FetchedContentResponse,
  FetchingResponse,
  ProcessingResponse,
  RunResponse,
  StageResponse,
  StatisticsResponse,
  TemplateResponse,
  WorkflowResponse,
} from './workflows.schema.ts'

/** Rows (snake_case; numeric and bigint columns arrive as strings) → the camelCase API shapes. */

const iso = (value: Date | null) => (value ? value.toISOString() : null)
const num = (value: string | number | null) => (value === null ? null : Number(value))

export function toRunResponse(row: ExecutionRow): RunResponse {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    workflowId: row.workflow_id,
    runNumber: row.run_number,
    status: row.status as RunResponse['status'],
    priority: row.priority,
    triggeredBy: row.triggered_by as RunResponse['triggeredBy'],
    triggerUserId: row.trigger_user_id,
    scheduledAt: iso(row.scheduled_at),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    durationMinutes: num(row.duration_minutes),
    currentStage: row.current_stage,
    currentStageOrder: row.current_stage_order,
    totalStages: row.total_stages,
    stagesCompleted: row.stages_completed,
    progressPercentage: Number(row.progress_percentage),
    contentProcessed: row.content_processed,
    bytesProcessed: Number(row.bytes_processed),
    errorMessage: row.error_message,
    errorCode: row.error_code,
    retryCount: row.retry_count,
    parentExecutionId: row.parent_execution_id,
    cancelRequestedAt: iso(row.cancel_requested_at),
    timeoutAt: iso(row.timeout_at),
    executionContext: row.execution_context,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export function toStageResponse(row: StageRow): Static<typeof StageResponse> {
  return {
    id: row.id,
    name: row.stage_name,
    type: row.stage_type,
    order: row.stage_order,
    status: row.status as Static<typeof StageResponse>['status'],
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    durationSeconds: num(row.duration_seconds),
    itemsToProcess: row.items_to_process,
    itemsProcessed: row.items_processed,
    itemsSuccessful: row.items_successful,
    itemsFailed: row.items_failed,
    progressPercentage: Number(row.progress_percentage),
    throughputPerSecond: num(row.throughput_per_second),
    output: row.stage_output,
    errorMessage: row.error_message,
    retryCount: row.retry_count,
  }
}

export function toFetchingResponse(row: FetchingRow): Static<typeof FetchingResponse> {
  return {
    id: row.id,
    status: row.status,
    timestamp: row.timestamp.toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    fetchingTimeSeconds: num(row.fetching_time_seconds),
    dataSourceId: row.data_source_id,
    dataSourceUrl: row.data_source_url,
    dataSourceType: row.data_source_type,
    dataSourceConfig: row.data_source_config,
    numberOfContent: row.number_of_content,
    totalSizeBytes: Number(row.total_size_bytes),
    contentTypes: row.content_types,
    throughputMbps: num(row.throughput_mbps),
    requestsPerSecond: num(row.requests_per_second),
    averageResponseTimeMs: row.average_response_time_ms,
    errorMessage: row.error_message,
    errorCount: row.error_count,
    retryAttempts: row.retry_attempts,
    headersSent: row.headers_sent,
    headersReceived: row.headers_received,
  }
}

export function toProcessingResponse(row: ProcessingRow): Static<typeof ProcessingResponse> {
  return {
    id: row.id,
    fetchingId: row.fetching_id,
    status: row.status,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    processingTimeSeconds: num(row.processing_time_seconds),
    processingType: row.processing_type,
    processingAlgorithm: row.processing_algorithm,
    numberOfProcessingContent: row.number_of_processing_content,
    contentProcessed: row.content_processed,
    contentSuccessful: row.content_successful,
    contentFailed: row.content_failed,
    itemsPerSecond: num(row.items_per_second),
    accuracyScore: num(row.accuracy_score),
    qualityMetrics: row.quality_metrics,
    errorMessage: row.error_message,
    failedItems: row.failed_items,
    inputHash: row.input_hash,
    outputHash: row.output_hash,
  }
}

export function toContentResponse(row: ContentRow): Static<typeof FetchedContentResponse> {
  return {
    id: row.id,
    fetchingId: row.fetching_id,
    name: row.content_name,
    contentType: row.content_type,
    mimeType: row.mime_type,
    encoding: row.encoding,
    fileExtension: row.file_extension,
    sizeBytes: num(row.file_size_bytes),
    sha256: row.content_hash,
    preview: row.content_preview,
    recordCount: row.record_count,
    sourceUrl: row.source_url,
    httpStatus: row.http_status,
    responseTimeMs: row.response_time_ms,
    status: row.status,
    fetchedAt: row.fetched_at.toISOString(),
    processedAt: iso(row.processed_at),
  }
}

export function toStatisticsResponse(row: StatisticsRow, ids: { pipelineId: string; workflowId: string | null }): StatisticsResponse {
  return {
    ...ids,
    from: row.period_start.toISOString(),
    to: row.period_end.toISOString(),
    totalExecutions: row.total_executions,
    successfulExecutions: row.successful_executions,
    failedExecutions: row.failed_executions,
    successRate: num(row.success_rate),
    previousSuccessRate: num(row.previous_success_rate),
    trendDirection: row.trend_direction,
    avgDurationMinutes: num(row.avg_duration_minutes),
    medianDurationMinutes: num(row.median_duration_minutes),
    totalContentProcessed: Number(row.total_content_processed),
    avgContentPerExecution: num(row.avg_content_per_execution),
    lastExecutionDate: iso(row.last_execution_date),
  }
}

export function toWorkflowResponse(row: WorkflowRow): WorkflowResponse {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    name: row.name,
    description: row.description,
    status: row.status,
    timeoutMinutes: row.timeout_minutes,
    maxRetries: row.max_retries,
    scheduleCron: row.schedule_cron,
    category: row.category,
    tags: row.tags ?? [],
    version: row.version,
    totalExecutions: row.total_executions,
    successfulExecutions: row.successful_executions,
    failedExecutions: row.failed_executions,
    lastExecutionAt: iso(row.last_execution_at),
    averageDurationMinutes: num(row.average_duration_minutes),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

export function toTemplateResponse(row: { id: string; name: string; description: string | null; template_name: string; category: string | null; tags: string[] | null; version: number; configuration: unknown }): TemplateResponse {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    templateName: row.template_name,
    category: row.category,
    tags: row.tags ?? [],
    version: row.version,
    configuration: row.configuration,
  }
}
