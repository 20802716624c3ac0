import { useState } from 'react'
import { Link } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { CodeBlock } from '../../components/CodeBlock.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { WINDOWS, type ToolUsageSummary } from './api.ts'
import { CallsChart } from './components/CallsChart.tsx'
import { SummaryCards } from './components/SummaryCards.tsx'
import { ToolCallList } from './components/ToolCallList.tsx'
import { ToolTables } from './components/ToolTables.tsx'

const HOUR_MS = 3_600_000

/**
 * MCP analytics: the tool calls of AI agents (Tessera's MCP server, and other MCP servers
 * reporting by OTLP or the logging API) over a window: figures, calls over time, per tool,
 * top errors, clients, and the searchable list with parameters and responses.
 */
export function PageMcpAnalytics() {
  const { org } = useOrg()
  const [hours, setHours] = useState<number>(24)
  // Fixed when the window is chosen (or refreshed): a moving "from" would refetch on every render.
  const [from, setFrom] = useState(() => new Date(Date.now() - 24 * HOUR_MS).toISOString())
  const summary = useApi<ToolUsageSummary>(`/orgs/${org.id}/tool-calls/summary`, { hours })
  const choose = (value: number) => {
    setHours(value)
    setFrom(new Date(Date.now() - value * HOUR_MS).toISOString())
  }
  const handleRefresh = () => {
    choose(hours)
    summary.reload()
  }

  return (
    <div className="page">
      <PageHeader
        title="MCP analytics"
        description={`Tool calls of AI agents in ${org.name}: Tessera's own MCP server and the MCP servers that report to it. Calls are written in batches, a few seconds after they happen.`}
        actions={
          <Button variant="secondary" onClick={handleRefresh}>
            Refresh
          </Button>
        }
      />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Time window">
          {WINDOWS.map((item) => (
            <button key={item.hours} type="button" className={`segmented-option${hours === item.hours ? ' segmented-option--active' : ''}`} aria-pressed={hours === item.hours} onClick={() => choose(item.hours)}>
              {item.label}
            </button>
          ))}
        </div>
      </div>
      {summary.error !== undefined ? <LoadError error={summary.error} onRetry={summary.reload} /> : null}
      {summary.loading && summary.data === undefined ? <Spinner label="Loading MCP analytics…" /> : null}
      {summary.data && summary.data.totals.calls === 0 ? <NoCallsYet orgId={org.id} /> : null}
      {summary.data && summary.data.totals.calls > 0 ? (
        <div aria-busy={summary.loading}>
          <section className="card section" aria-label="Figures">
            <SummaryCards totals={summary.data.totals} />
          </section>
          <CallsChart summary={summary.data} />
          <ToolTables summary={summary.data} />
        </div>
      ) : null}
      <ToolCallList orgId={org.id} from={from} />
    </div>
  )
}

function NoCallsYet({ orgId }: { orgId: string }) {
  const url = `${window.location.origin}/mcp`
  return (
    <div className="card section">
      <EmptyState title="No tool calls in this window">
        <p>
          Connect an MCP client to <span className="mono">{url}</span> with an API key that has the <strong>read</strong> scope (
          <Link to={`/orgs/${orgId}/api-keys`}>create one</Link>), for example Claude Code:
        </p>
        <CodeBlock label="Claude Code" code={`claude mcp add --transport http tessera ${url} --header "Authorization: Bearer tsk_…"`} />
        <p>Other MCP servers can report their calls with OpenTelemetry (OTLP/HTTP JSON to /api/v1/otlp) or the tool-calls API; see docs/mcp.md.</p>
      </EmptyState>
    </div>
  )
}
