import { Link } from 'react-router-dom'
import { SelectField, TextField } from '../../../components/Field.tsx'
import { TextAreaField } from '../../../components/TextAreaField.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import { TYPE_LABELS as SOURCE_TYPES, type DataSource } from '../../data-sources/api.ts'
import { MAX_RUN_RECORDS, type PipelineDraft } from '../settings.ts'

/** Where a polling pipeline fetches from, how often, and what it asks the source for. */
export function PollingFields({
  orgId,
  draft,
  set,
  errors,
  sources,
}: {
  orgId: string
  draft: PipelineDraft
  set: (change: Partial<PipelineDraft>) => void
  errors: FieldErrors
  sources: DataSource[]
}) {
  const source = sources.find((candidate) => candidate.id === draft.dataSourceId)
  const isSql = source?.type === 'postgresql' || source?.type === 'mysql'
  const pollable = sources.filter((candidate) => candidate.type !== 'push')
  return (
    <fieldset className="fieldset">
      <legend>Polling</legend>
      <div className="stack">
        {pollable.length === 0 ? (
          <p className="muted">
            There is no data source to poll yet. <Link to={`/orgs/${orgId}/data-sources/new`}>Create a data source</Link> first, then come back.
          </p>
        ) : null}
        <SelectField
          label="Data source"
          name="dataSourceId"
          value={draft.dataSourceId}
          onChange={(dataSourceId) => set({ dataSourceId })}
          error={errors.dataSourceId}
          options={[{ value: '', label: 'Choose a data source…' }, ...pollable.map((candidate) => ({ value: candidate.id, label: `${candidate.name} (${SOURCE_TYPES[candidate.type]})` }))]}
        />
        <div className="form-inline">
          <SelectField
            label="Schedule"
            name="scheduleKind"
            value={draft.scheduleKind}
            onChange={(value) => set({ scheduleKind: value === 'cron' ? 'cron' : 'interval' })}
            options={[
              { value: 'interval', label: 'Every N seconds' },
              { value: 'cron', label: 'Cron schedule' },
            ]}
          />
          {draft.scheduleKind === 'interval' ? (
            <TextField label="Interval (seconds)" name="intervalSeconds" value={draft.interval} onChange={(interval) => set({ interval })} error={errors.intervalSeconds} inputMode="numeric" className="grow" hint="At least 10. 300 = every 5 minutes, 3600 = hourly." />
          ) : (
            <TextField label="Cron schedule" name="cronSchedule" value={draft.cron} onChange={(cron) => set({ cron })} error={errors.cronSchedule} className="grow mono-input" placeholder="*/15 * * * *" spellCheck={false} hint="minute hour day-of-month month day-of-week, in UTC." />
          )}
        </div>
        {isSql ? (
          <TextAreaField
            label="Query"
            name="query"
            rows={5}
            className="mono-input"
            value={draft.query}
            onChange={(query) => set({ query })}
            error={errors.query ?? errors.sourceConfig}
            spellCheck={false}
            placeholder="select id, amount, created_at from orders where created_at > now() - interval '1 day'"
            hint="One SELECT, run in a read-only transaction. Each row becomes a record."
          />
        ) : null}
        <TextField
          label="Maximum records per run (optional)"
          name="maxRecords"
          value={draft.maxRecords}
          onChange={(maxRecords) => set({ maxRecords })}
          error={errors.maxRecords}
          inputMode="numeric"
          hint={`Empty: up to ${MAX_RUN_RECORDS.toLocaleString()}.`}
        />
      </div>
    </fieldset>
  )
}
