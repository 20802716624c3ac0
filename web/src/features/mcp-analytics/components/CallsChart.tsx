import { useState } from 'react'
import { BarChart } from '../../../components/BarChart.tsx'
import { SelectField } from '../../../components/Field.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import { formatMs, type ToolUsageSummary } from '../api.ts'
import { HOUR_MS, callBars, p95Bars } from '../callBars.ts'

const SERIES = [
  { key: 'ok', label: 'Succeeded', tone: 'success' },
  { key: 'failed', label: 'Failed', tone: 'danger' },
] as const

const P95_SERIES = [{ key: 'p95', label: 'p95 duration', tone: 'primary' }] as const

/**
 * Calls per hour over the window, of every tool or of one, succeeded and failed stacked, and
 * the p95 duration per hour below. Both come from the hourly summary view for the hours it
 * covers and from the live log after (summaryThrough).
 */
export function CallsChart({ summary }: { summary: ToolUsageSummary }) {
  const [tool, setTool] = useState('')
  const tools = [...new Set(summary.tools.map((figures) => figures.tool))].sort()
  const { step, bars } = callBars(summary, tool)
  const p95 = p95Bars(summary, tool)
  const per = step === HOUR_MS ? 'per hour' : 'per day'
  const p95Title = step === HOUR_MS ? `p95 duration per hour${tool ? '' : ' (slowest tool)'}` : `Worst hourly p95 per day${tool ? '' : ' (slowest tool)'}`
  return (
    <section className="card section" aria-labelledby="mcp-calls-heading">
      <div className="section-header">
        <h2 id="mcp-calls-heading">Calls {per}</h2>
        <SelectField label="Tool" name="tool" value={tool} onChange={setTool} options={[{ value: '', label: 'All tools' }, ...tools.map((name) => ({ value: name, label: name }))]} />
      </div>
      <div className="stack stack--roomy">
        <BarChart label={`Calls ${per}${tool ? ` of ${tool}` : ''}`} bars={bars} series={SERIES} />
        <div className="stack">
          <h3>{p95Title}</h3>
          <BarChart label={`${p95Title}${tool ? ` of ${tool}` : ''}`} bars={p95.bars} series={P95_SERIES} formatMax={formatMs} />
        </div>
        <p className="muted">
          {summary.summaryThrough
            ? `Hours before ${formatDateTime(summary.summaryThrough)} come from the hourly summary (refreshed every 5 minutes), later ones from the live log.`
            : 'From the live log: the hourly summary covers no hour of this window yet.'}
        </p>
      </div>
    </section>
  )
}
