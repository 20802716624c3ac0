import type { JobHelpers } from 'graphile-worker'
import type { ErrorRecorder } from '../../platform/error-recorder.ts'

/**
 * Records a failed run of a worker task in telemetry.error_logs. graphile-worker retries a
 * failed job with backoff until max_attempts: an attempt that will be retried is a warning, the
 * last one an error. Scheduled maintenance kinds (exclusive-tasks.ts) reach here too, after
 * ops.maintenance_runs has recorded the failed run. The organization is the payload's
 * (pipeline runs, sink deliveries carry one); sweeps over the instance have none.
 */
export function recordJobFailure(errors: ErrorRecorder, task: string, payload: unknown, helpers: JobHelpers | undefined, error: unknown): void {
  const job = helpers?.job
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}
  const orgId = typeof fields.orgId === 'string' ? fields.orgId : typeof fields.organizationId === 'string' ? fields.organizationId : null
  const attempts = job?.attempts ?? null
  const maxAttempts = job?.max_attempts ?? null
  errors.record({
    error,
    source: 'job',
    level: attempts !== null && maxAttempts !== null && attempts < maxAttempts ? 'warn' : 'error',
    organizationId: orgId,
    executionId: job ? `job:${job.id}` : null,
    context: { jobName: task, jobId: job?.id ?? null, attempts, maxAttempts, payload: fields },
  })
}
