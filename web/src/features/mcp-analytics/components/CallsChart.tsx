import { useState } from 'react'
import { BarChart } from '../../../components/BarChart.tsx'
import { SelectField } from '../../../components/Field.tsx'
import type { ToolUsageSummary } from '../api.ts'
import { HOUR_MS, callBars } from '../callBars.ts'

const SERIES = [
  { key: 'ok', label: 'Succeeded', tone: 'success' },
  { key: 'failed', label: 'Failed', tone: 'danger' },
] as const

/** Calls per hour over the window, of every tool or of one, succeeded and failed stacked. */
export function CallsChart({ summary }: { summary: ToolUsageSummary }) {
  const [tool, setTool] = useState('')
  const tools = [...new Set(summary.tools.map((figures) => figures.tool))].sort()
  const { step, bars } = callBars(summary, tool)
  return (
    <section className="card section" aria-labelledby="mcp-calls-heading">
      <div className="section-header">
        <h2 id="mcp-calls-heading">Calls {step === HOUR_MS ? 'per hour' : 'per day'}</h2>
        <SelectField label="Tool" name="tool" value={tool} onChange={setTool} options={[{ value: '', label: 'All tools' }, ...tools.map((name) => ({ value: name, label: name }))]} />
      </div>
      <BarChart label={`Calls ${step === HOUR_MS ? 'per hour' : 'per day'}${tool ? ` of ${tool}` : ''}`} bars={bars} series={SERIES} />
    </section>
  )
}
