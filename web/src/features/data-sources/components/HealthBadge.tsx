import { formatDateTime, formatRelative } from '../../../lib/format.ts'
import { HEALTH, type DataSource } from '../api.ts'

/** The health of a source with when it was last checked ("Healthy · checked 5 minutes ago"). */
export function HealthBadge({ source, showTime = true }: { source: Pick<DataSource, 'healthStatus' | 'lastHealthCheck'>; showTime?: boolean }) {
  const health = HEALTH[source.healthStatus]
  return (
    <>
      <span className={`badge badge--${health.tone}`}>{health.label}</span>
      {showTime ? (
        <span className="muted small" title={source.lastHealthCheck ? formatDateTime(source.lastHealthCheck) : undefined}>
          {source.lastHealthCheck ? `checked ${formatRelative(source.lastHealthCheck)}` : 'never checked'}
        </span>
      ) : null}
    </>
  )
}
