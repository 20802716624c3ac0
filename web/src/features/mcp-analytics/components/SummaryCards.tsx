import { formatMs, formatPercent, type ToolUsageSummary } from '../api.ts'

function Card({ label, value, detail, className }: { label: string; value: string; detail?: string; className?: string }) {
  return (
    <div className={`stat-card${className ? ` ${className}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {detail ? <span className="stat-detail">{detail}</span> : null}
      </dd>
    </div>
  )
}

/** The window's headline figures. */
export function SummaryCards({ totals }: { totals: ToolUsageSummary['totals'] }) {
  const failed = totals.successRate === null ? 0 : Math.round(totals.calls * (1 - totals.successRate))
  return (
    <dl className="stat-cards">
      <Card label="Success rate" className={`stat-card--wide${failed > 0 ? ' stat-card--danger' : ''}`} value={formatPercent(totals.successRate)} detail={`${failed.toLocaleString()} failed of ${totals.calls.toLocaleString()} calls`} />
      <Card label="Calls" value={totals.calls.toLocaleString()} />
      <Card label="Median duration" value={formatMs(totals.p50Ms)} detail="p50" />
      <Card label="p95 duration" value={formatMs(totals.p95Ms)} />
      <Card label="Users" value={totals.users.toLocaleString()} detail="distinct API key creators" />
      <Card label="Clients" value={totals.clients.toLocaleString()} detail={`${totals.sessions.toLocaleString()} ${totals.sessions === 1 ? 'session' : 'sessions'}`} />
      <Card label="Cache hit rate" value={formatPercent(totals.cacheHitRate)} />
    </dl>
  )
}
