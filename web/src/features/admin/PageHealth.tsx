import { useMemo, useState } from 'react'
import { Button } from '../../components/Button.tsx'
import { DataTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { StatCard } from '../../components/StatCard.tsx'
import { formatDateTime, formatRelative } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { PerformanceMetrics } from './health/api.ts'
import { HealthChart } from './health/HealthChart.tsx'
import { average, findSeries, formatNumber, latest, linesOf, poolLines, slowestRoutes, withUnit } from './health/series.ts'

const RANGES = [
  { label: 'Last 1 h', hours: 1 },
  { label: '6 h', hours: 6 },
  { label: '24 h', hours: 24 },
  { label: '7 d', hours: 24 * 7 },
  { label: '30 d', hours: 24 * 30 },
] as const

const PERIOD_NAMES: Record<string, string> = { '1m': '1-minute', '5m': '5-minute', '15m': '15-minute', '1h': 'hourly', '1d': 'daily', '1w': 'weekly' }

/** The range ends now (rounded to the minute, so re-renders do not refetch). */
function rangeEndingNow(hours: number) {
  const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000)
  return { from: new Date(to.getTime() - hours * 3_600_000).toISOString(), to: to.toISOString() }
}

function Dashboard({ data }: { data: PerformanceMetrics }) {
  const { series, from, to } = data
  const throughput = findSeries(series, 'http_requests_per_second')
  const p95 = findSeries(series, 'http_request_duration_ms', { stat: 'p95' })
  const errors = findSeries(series, 'http_error_rate_percent')
  const pool = findSeries(series, 'db_pool_utilization_percent')
  const charts = useMemo(() => ({
    latency: linesOf(series, 'http_request_duration_ms', (l) => !l.route && l.stat !== 'avg', (l) => l.stat ?? ''),
    throughput: linesOf(series, 'http_requests_per_second', () => true, () => 'requests/s'),
    errors: [
      ...linesOf(series, 'http_error_rate_percent', () => true, () => '5xx'),
      ...linesOf(series, 'http_client_error_rate_percent', () => true, () => '4xx'),
    ],
    pool: poolLines(series),
    jobs: linesOf(series, 'job_duration_ms', (l) => l.stat === 'avg', (l) => l.job ?? ''),
    ingest: linesOf(series, 'ingest_records_per_second', () => true, (l) => (l.source === 'metric' ? 'metric points' : 'pipeline records')),
  }), [series])
  const routes = useMemo(() => slowestRoutes(series), [series])

  return (
    <>
      <section className="card section" aria-label="Figures">
        <dl className="stat-cards">
          <StatCard label="Requests/s" value={formatNumber(latest(throughput), 2)} detail={`avg ${formatNumber(average(throughput), 2)} over the range`} />
          <StatCard label="p95 latency" value={withUnit(latest(p95), 'ms', 0)} detail={`avg ${withUnit(average(p95), 'ms', 0)} over the range`} />
          <StatCard label="Error rate (5xx)" value={withUnit(latest(errors), '%', 2)} detail={`avg ${withUnit(average(errors), '%', 2)} over the range`} />
          <StatCard label="Pool utilization" value={withUnit(latest(pool), '%', 0)} detail={`avg ${withUnit(average(pool), '%', 0)} of DATABASE_POOL_SIZE`} />
        </dl>
      </section>
      <div className="two-column" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', marginBottom: '1rem' }}>
        <HealthChart title="Request latency" description="p50, p95 and p99 of every API request" lines={charts.latency} unit="ms" from={from} to={to} />
        <HealthChart title="Throughput" description="API requests per second" lines={charts.throughput} unit="req/s" from={from} to={to} />
        <HealthChart title="Error rates" description="Share of requests answered 5xx and 4xx" lines={charts.errors} unit="%" from={from} to={to} />
        <HealthChart title="Pool connections" description="Runtime connections to PostgreSQL by state (sampled each minute)" lines={charts.pool} unit="connections" from={from} to={to} />
        <HealthChart title="Job durations" description="Average run time of each scheduled job" lines={charts.jobs} unit="ms" from={from} to={to} />
        <HealthChart title="Ingest rates" description="Pipeline records and metric points stored per second" lines={charts.ingest} unit="per s" from={from} to={to} />
      </div>
      <section className="card" aria-label="Slowest routes">
        <h2>Slowest routes</h2>
        <p className="muted small">By p95 latency, averaged over the buckets of the range (the busiest routes of each bucket are tracked).</p>
        <DataTable
          compact
          rows={routes}
          rowKey={(r) => `${r.method} ${r.route}`}
          empty={<EmptyState title="No routes">No requests with a route in this range.</EmptyState>}
          columns={[
            { header: 'Route', cell: (r) => <code>{r.route}</code> },
            { header: 'Method', cell: (r) => r.method },
            { header: 'p95 (ms)', className: 'num', cell: (r) => formatNumber(r.p95, 0) },
            { header: 'Worst p95 (ms)', className: 'num', cell: (r) => formatNumber(r.worstP95, 0) },
            { header: 'p50 (ms)', className: 'num', cell: (r) => formatNumber(r.p50, 0) },
            { header: 'Buckets', className: 'num', cell: (r) => String(r.buckets) },
          ]}
        />
      </section>
    </>
  )
}

/** "Tessera health": the built-in dashboard over the instance's request and performance metrics. */
export function PageHealth() {
  const [hours, setHours] = useState<number>(1)
  const [range, setRange] = useState(() => rangeEndingNow(1))
  const state = useApi<PerformanceMetrics>('/admin/performance-metrics', range)

  function handleRefresh() {
    const next = rangeEndingNow(hours)
    // Within the same minute the query is unchanged, and useApi only refetches on a change.
    if (next.to === range.to) {
      state.reload()
    } else {
      setRange(next)
    }
  }

  function choose(next: number) {
    setHours(next)
    setRange(rangeEndingNow(next))
  }

  return (
    <div className="page">
      <PageHeader
        title="Health"
        description="Tessera health: request latency, throughput and errors, database pool usage, job durations and ingest rates, aggregated every minute by the worker."
        actions={<Button variant="secondary" onClick={handleRefresh}>Refresh</Button>}
      />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((item) => (
            <button key={item.hours} type="button" className={`segmented-option${hours === item.hours ? ' segmented-option--active' : ''}`} aria-pressed={hours === item.hours} onClick={() => choose(item.hours)}>
              {item.label}
            </button>
          ))}
        </div>
      </div>
      <Loader state={state} label="Loading performance metrics…">
        {(data) => (
          <div aria-busy={state.loading}>
            <p className="muted small">
              {data.asOf
                ? `As of ${formatDateTime(data.asOf)} (${formatRelative(data.asOf)}): newest ${PERIOD_NAMES[data.period] ?? data.period} bucket aggregated.`
                : 'Nothing aggregated yet.'}
            </p>
            {data.series.length === 0 ? (
              <section className="card">
                <EmptyState title="No metrics in this range">
                  Metrics appear a minute after the worker starts; requests are aggregated per minute. Check that the worker runs (<code>npx tessera start</code> runs the API and the worker), or pick a longer range.
                </EmptyState>
              </section>
            ) : (
              <Dashboard data={data} />
            )}
          </div>
        )}
      </Loader>
    </div>
  )
}
