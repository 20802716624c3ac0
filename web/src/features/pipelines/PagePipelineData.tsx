import { useState, type FormEvent } from 'react'
import { Link } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Loader } from '../../components/Loading.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { RecordsTable } from '../../components/RecordsTable.tsx'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import type { DataRow } from './api.ts'
import { HourlyVolume } from './components/HourlyVolume.tsx'
import { usePipeline } from './PipelineLayout.tsx'

interface Filters {
  from: string
  to: string
  limit: string
  timeField: 'ingestedAt' | 'recordTime'
}

/** datetime-local has no zone: the browser's zone is what the user means. */
function toIso(local: string): string | undefined {
  if (local === '') {
    return undefined
  }
  const date = new Date(local)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function asRecord(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data }
}

export function PagePipelineData() {
  const { org, pipeline } = usePipeline()
  const [draft, setDraft] = useState<Filters>({ from: '', to: '', limit: '100', timeField: 'ingestedAt' })
  const [applied, setApplied] = useState<Filters>(draft)
  const limit = Math.min(1000, Math.max(1, Number(applied.limit) || 100))
  const state = useApi<{ rows: DataRow[]; from: string; to: string }>(`/orgs/${org.id}/pipelines/${pipeline.id}/data`, {
    from: toIso(applied.from),
    to: toIso(applied.to),
    limit,
    timeField: applied.timeField,
  })
  const set = (change: Partial<Filters>) => setDraft((current) => ({ ...current, ...change }))
  const handleSubmit = (event: FormEvent) => {
    event.preventDefault()
    setApplied(draft)
  }
  const stores = pipeline.type !== 'p2p' && pipeline.persistData

  return (
    <>
      {stores ? (
        <Section title="Records per hour" id="pipeline-volume" description="Stored records per hour, from the hourly rollup (it runs every minute).">
          <HourlyVolume orgId={org.id} pipelineId={pipeline.id} />
        </Section>
      ) : null}
      <Section title="Stored data" id="pipeline-data" description="The newest rows first, as the mapping stored them. Without a time range: the last 24 hours.">
        {!stores ? <p className="muted">This pipeline doesn't store records ({pipeline.type === 'p2p' ? 'pass-through' : 'storage is off'}): they only go to its sinks.</p> : null}
        <form className="filters" onSubmit={handleSubmit} aria-label="Filter data">
          <div className="filters-grid">
            <div className="field">
              <label htmlFor="data-from">From</label>
              <input id="data-from" type="datetime-local" value={draft.from} onChange={(event) => set({ from: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="data-to">To</label>
              <input id="data-to" type="datetime-local" value={draft.to} onChange={(event) => set({ to: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="data-limit">Rows (1–1000)</label>
              <input id="data-limit" inputMode="numeric" value={draft.limit} onChange={(event) => set({ limit: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="data-time-field">Time range by</label>
              <select id="data-time-field" value={draft.timeField} onChange={(event) => set({ timeField: event.target.value === 'recordTime' ? 'recordTime' : 'ingestedAt' })}>
                <option value="ingestedAt">Ingestion time</option>
                <option value="recordTime">Record time (timestamp field)</option>
              </select>
            </div>
          </div>
          <div className="form-actions">
            <Button type="submit" variant="primary">
              Show data
            </Button>
            <Button variant="ghost" onClick={() => state.reload()}>
              Refresh
            </Button>
          </div>
        </form>
        <Loader state={state} label="Loading data…">
          {(data) => (
            <>
              <p className="muted small">
                {data.rows.length} {data.rows.length === 1 ? 'row' : 'rows'} from {formatDateTime(data.from)} to {formatDateTime(data.to)}
                {data.rows.length === limit ? ` (the newest ${limit}; narrow the range to see older ones)` : ''}.
              </p>
              <RecordsTable
                rows={data.rows}
                record={(row) => asRecord(row.data)}
                rowKey={(row) => row.id}
                lead={[
                  { header: applied.timeField === 'recordTime' ? 'Record time' : 'Ingested', className: 'nowrap small', cell: (row) => formatDateTime(applied.timeField === 'recordTime' ? row.recordTime : row.ingestedAt) },
                ]}
                empty={
                  <EmptyState title="No data in this time range">
                    {pipeline.type === 'polling' ? (
                      <>
                        <Link to={`/orgs/${org.id}/pipelines/${pipeline.id}`}>Run the pipeline now</Link> from its overview, or wait for its schedule, then refresh.
                      </>
                    ) : (
                      <>
                        Send records to it: see <Link to={`/orgs/${org.id}/pipelines/${pipeline.id}/push`}>Push data</Link>.
                      </>
                    )}
                  </EmptyState>
                }
              />
            </>
          )}
        </Loader>
      </Section>
    </>
  )
}
