import { useRef, useState } from 'react'
import { Alert } from '../../../components/Alert.tsx'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { runsApi, type PipelineSummary, type Workflow } from '../api.ts'
import { formatDuration } from '../runFormat.ts'

const parseTags = (text: string) => [...new Set(text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''))]
const isInteger = (text: string, min: number, max: number) => /^\d+$/.test(text.trim()) && Number(text) >= min && Number(text) <= max

function scheduleText(pipeline: PipelineSummary): string {
  if (pipeline.cronSchedule) {
    return `Cron ${pipeline.cronSchedule} (UTC)`
  }
  if (pipeline.intervalSeconds) {
    return `Every ${formatDuration(pipeline.intervalSeconds)}`
  }
  return pipeline.type === 'polling' ? 'No schedule' : 'Runs only when started (data is pushed to this pipeline)'
}

/** What a viewer sees: the settings, without inputs. */
export function WorkflowSettingsView({ workflow, pipeline }: { workflow: Workflow; pipeline: PipelineSummary }) {
  return (
    <dl className="details">
      <dt>Schedule</dt>
      <dd>{scheduleText(pipeline)}</dd>
      <dt>Timeout</dt>
      <dd>{workflow.timeoutMinutes} minutes</dd>
      <dt>Automatic retries</dt>
      <dd>{workflow.maxRetries}</dd>
      <dt>Category</dt>
      <dd>{workflow.category ?? '—'}</dd>
      <dt>Tags</dt>
      <dd>{workflow.tags.length > 0 ? workflow.tags.join(', ') : '—'}</dd>
    </dl>
  )
}

/**
 * The run settings of a pipeline's workflow (timeout, retries, category, tags) and, for a
 * polling pipeline, its cron schedule, which belongs to the pipeline itself.
 */
export function WorkflowSettingsForm({ orgId, workflow, pipeline, onSaved }: { orgId: string; workflow: Workflow; pipeline: PipelineSummary; onSaved: () => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const polling = pipeline.type === 'polling'
  const [cron, setCron] = useState(pipeline.cronSchedule ?? '')
  const [timeout, setTimeoutMinutes] = useState(String(workflow.timeoutMinutes))
  const [retries, setRetries] = useState(String(workflow.maxRetries))
  const [category, setCategory] = useState(workflow.category ?? '')
  const [tags, setTags] = useState(workflow.tags.join(', '))
  const [saved, setSaved] = useState(false)

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(formRef, async () => {
    setSaved(false)
    const tagList = parseTags(tags)
    const cronText = cron.trim()
    check([
      ['cronSchedule', cronText === '' || cronText.split(/\s+/).length === 5, 'Use five fields: minute hour day-of-month month day-of-week'],
      ['cronSchedule', cronText !== '' || pipeline.intervalSeconds !== null, 'A polling pipeline needs a schedule: set a cron expression or an interval on the overview'],
      ['timeoutMinutes', isInteger(timeout, 1, 10_080), 'Enter whole minutes from 1 to 10080 (a week)'],
      ['maxRetries', isInteger(retries, 0, 20), 'Enter a whole number from 0 to 20'],
      ['category', category.trim().length <= 50, 'Keep the category to 50 characters'],
      ['tags', tagList.length <= 20 && tagList.every((tag) => tag.length <= 50), 'Use at most 20 tags of up to 50 characters each'],
    ])
    await runsApi.updateWorkflow(orgId, pipeline.id, {
      timeoutMinutes: Number(timeout),
      maxRetries: Number(retries),
      category: category.trim() === '' ? null : category.trim(),
      tags: tagList,
    })
    if (polling && cronText !== (pipeline.cronSchedule ?? '')) {
      await runsApi.updateSchedule(orgId, pipeline.id, cronText === '' ? null : cronText)
    }
    setSaved(true)
    onSaved()
  }, { knownFields: ['cronSchedule', 'timeoutMinutes', 'maxRetries', 'category', 'tags'] })

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Run settings">
      {saved ? <Alert tone="success">Saved.</Alert> : null}
      <div className="form-grid">
        {polling ? (
          <TextField
            label="Cron schedule (UTC)"
            name="cronSchedule"
            className="mono-input"
            value={cron}
            onChange={setCron}
            error={fieldErrors.cronSchedule ?? fieldErrors.intervalSeconds}
            placeholder="*/15 * * * *"
            hint={pipeline.intervalSeconds ? `Empty: every ${formatDuration(pipeline.intervalSeconds)}. A cron schedule wins over the interval.` : 'Five fields: minute hour day-of-month month day-of-week.'}
          />
        ) : (
          <div className="field">
            <p className="label-like">Schedule</p>
            <p className="muted">{scheduleText(pipeline)}</p>
          </div>
        )}
        <TextField label="Timeout (minutes)" name="timeoutMinutes" inputMode="numeric" value={timeout} onChange={setTimeoutMinutes} error={fieldErrors.timeoutMinutes} hint="A run still going after this long ends as timed out." />
        <TextField label="Automatic retries" name="maxRetries" inputMode="numeric" value={retries} onChange={setRetries} error={fieldErrors.maxRetries} hint="A failed run starts again this many times, waiting longer each time." />
        <TextField label="Category (optional)" name="category" value={category} onChange={setCategory} error={fieldErrors.category} />
        <TextField label="Tags (optional)" name="tags" value={tags} onChange={setTags} error={fieldErrors.tags} hint="Separate tags with commas." />
      </div>
      <FormActions busy={busy} busyLabel="Saving…" submitLabel="Save run settings" />
    </Form>
  )
}
