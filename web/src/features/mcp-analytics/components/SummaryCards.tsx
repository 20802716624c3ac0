import { formatMs, formatPercent, type ToolUsageSummary } from '../api.ts'
import { StatCard } from '../../../components/StatCard.tsx'

/** The window's headline figures. */
export function SummaryCards({ totals }: { totals: ToolUsageSummary['totals'] }) {
  const failed = totals.successRate === null ? 0 : Math.round(totals.calls * (1 - totals.successRate))
  return (
    <dl className="stat-cards">
      <StatCard label="Success rate" className={`stat-card--wide${failed > 0 ? ' stat-card--danger' : ''}`} value={formatPercent(totals.successRate)} detail={`${failed.toLocaleString()} failed of ${totals.calls.toLocaleString()} calls`} />
      <StatCard label="Calls" value={totals.calls.toLocaleString()} />
      <StatCard label="Median duration" value={formatMs(totals.p50Ms)} detail="p50" />
      <StatCard label="p95 duration" value={formatMs(totals.p95Ms)} />
      <StatCard label="Users" value={totals.users.toLocaleString()} detail="distinct API key creators" />
      <StatCard label="Clients" value={totals.clients.toLocaleString()} detail={`${totals.sessions.toLocaleString()} ${totals.sessions === 1 ? 'session' : 'sessions'}`} />
      <StatCard label="Cache hit rate" value={formatPercent(totals.cacheHitRate)} />
    </dl>
  )
}
