import type { ReactNode } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { Section as PageSection } from '../../../components/PageHeader.tsx'
import { StatusBadge, type Tone } from '../../../components/StatusBadge.tsx'
import { formatBytes, formatDuration } from '../PageStorage.tsx'
import type { HealthCheck, HealthStatus, Section } from './api.ts'

const TONES: Record<HealthStatus, Tone> = { OK: 'success', WARNING: 'warning', CRITICAL: 'danger' }

export function HealthBadge({ status, title }: { status: HealthStatus; title?: string }) {
  return <StatusBadge label={status} tone={TONES[status]} title={title} />
}

/** The seed 004 metrics in words, and their values in their units. */
export const METRIC_LABELS: Record<string, string> = {
  database_size_gb: 'Database size',
  active_connections: 'Active connections',
  connection_usage_percent: 'Connections in use',
  oldest_transaction_minutes: 'Oldest open transaction',
  replication_lag_bytes: 'Replication lag',
}

export function formatMetric(metric: string, value: number): string {
  switch (metric) {
    case 'database_size_gb':
      return `${value.toLocaleString()} GB`
    case 'connection_usage_percent':
      return `${value.toLocaleString()}% of max_connections`
    case 'oldest_transaction_minutes':
      return formatDuration(value * 60)
    case 'replication_lag_bytes':
      return formatBytes(value)
    default:
      return value.toLocaleString()
  }
}

export const thresholdText = (check: HealthCheck) => `${formatMetric(check.metric, check.warningThreshold)} / ${formatMetric(check.metric, check.criticalThreshold)}`

export const formatCount = (value: number) => value.toLocaleString()

export const formatMs = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : ms < 10_000 ? `${Math.round(ms).toLocaleString()} ms` : formatDuration(ms / 1000))

/**
 * A card for one section of the page: its figures, or the error that stopped it (the API reads
 * each section on its own, so one failure leaves the others showing).
 */
export function SectionCard<T>({ id, title, description, section, actions, children }: { id: string; title: string; description?: ReactNode; section: Section<T>; actions?: ReactNode; children: (data: T) => ReactNode }) {
  return (
    <PageSection id={id} title={title} description={description} actions={actions}>
      {section.data !== null ? children(section.data) : <Alert title={`${title} could not be read`}>{section.error ?? 'No figures.'}</Alert>}
    </PageSection>
  )
}
