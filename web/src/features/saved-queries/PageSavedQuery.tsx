import { useEffect, useRef, useState } from 'react'
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { SelectField, TextField } from '../../components/Field.tsx'
import { Form } from '../../components/Form.tsx'
import { LoadError, Spinner } from '../../components/Loading.tsx'
import { PageHeader } from '../../components/PageHeader.tsx'
import { api, ApiError, errorMessage } from '../../lib/api.ts'
import { useApi } from '../../lib/useApi.ts'
import { useSubmit } from '../../lib/useSubmit.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { canWriteQueries, isSqlSource, type RunResult, type SavedQuery, type SqlSource } from './api.ts'
import { ParameterFields } from './components/ParameterFields.tsx'
import { ResultTable } from './components/ResultTable.tsx'
import { SqlEditor } from './components/SqlEditor.tsx'
import { draftFromQuery, EMPTY_DRAFT, runRequest, syncParameters, toQueryBody, toRunValues, type QueryDraft } from './queryDraft.ts'

type RunState = { status: 'idle' } | { status: 'running' } | { status: 'done'; result: RunResult } | { status: 'failed'; code: string; message: string }

/** The SQL editor of one saved query (or a new one): source, SQL, parameters, Run, Save, Delete. */
export function PageSavedQuery() {
  const { org } = useOrg()
  const { queryId } = useParams()
  const navigate = useNavigate()
  const saved = useApi<SavedQuery>(queryId ? `/orgs/${org.id}/queries/${queryId}` : null)
  const sources = useApi<{ dataSources: SqlSource[] }>(`/orgs/${org.id}/data-sources`)
  const sqlSources = (sources.data?.dataSources ?? []).filter(isSqlSource)
  const writer = canWriteQueries(org.role)
  const [draft, setDraft] = useState<QueryDraft>(EMPTY_DRAFT)
  const [paramErrors, setParamErrors] = useState<Record<string, string>>({})
  const location = useLocation()
  // After the first save the page becomes the saved query's page: the last run comes along.
  const [run, setRun] = useState<RunState>(() => (location.state as { run?: RunState } | null)?.run ?? { status: 'idle' })
  const formRef = useRef<HTMLFormElement>(null)

  useEffect(() => {
    if (saved.data) setDraft(draftFromQuery(saved.data))
  }, [saved.data])

  // A new query starts on the first SQL source.
  useEffect(() => {
    if (!queryId && draft.dataSourceId === '' && sqlSources[0]) setDraft((d) => ({ ...d, dataSourceId: sqlSources[0]!.id }))
  }, [queryId, draft.dataSourceId, sqlSources])

  const set = (key: keyof QueryDraft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }))
  const setSql = (text: string) => setDraft((d) => ({ ...d, queryText: text, parameters: syncParameters(text, d.parameters) }))
  const dialect = sources.data?.dataSources.find((source) => source.id === draft.dataSourceId)?.type === 'mysql' ? 'mysql' : 'postgresql'

  const submit = useSubmit(formRef, async () => {
    const body = toQueryBody(draft)
    if (queryId) {
      const updated = await api.patch<SavedQuery>(`/orgs/${org.id}/queries/${queryId}`, body)
      setDraft(draftFromQuery(updated))
      saved.reload()
    } else {
      const created = await api.post<SavedQuery>(`/orgs/${org.id}/queries`, body)
      navigate(`/orgs/${org.id}/queries/${created.id}`, { replace: true, state: { run } })
    }
  })

  const handleRun = () => {
    if (run.status === 'running') return
    const { values, errors } = toRunValues(draft.parameters)
    setParamErrors(errors)
    if (Object.keys(errors).length > 0) {
      setRun({ status: 'failed', code: 'invalid_query_parameter', message: 'Fix the test values marked below, then run again.' })
      return
    }
    if (!draft.dataSourceId) {
      setRun({ status: 'failed', code: 'validation_failed', message: 'Choose a data source to run the query on.' })
      return
    }
    const { path, body } = runRequest(org.id, draft, saved.data, values)
    setRun({ status: 'running' })
    api
      .post<RunResult>(path, body)
      .then((result) => setRun({ status: 'done', result }))
      .catch((error: unknown) => setRun({ status: 'failed', code: error instanceof ApiError ? error.code : 'error', message: errorMessage(error) }))
  }

  const title = queryId ? (saved.data?.name ?? 'Query') : 'New query'
  if (queryId && saved.error) {
    return (
      <div className="page">
        <PageHeader title="Query" />
        <LoadError error={saved.error} onRetry={saved.reload} />
      </div>
    )
  }
  if ((queryId && !saved.data) || !sources.data) {
    return (
      <div className="page">
        <PageHeader title={title} />
        {sources.error ? <LoadError error={sources.error} onRetry={sources.reload} /> : <Spinner label="Loading the query…" />}
      </div>
    )
  }
  if (!queryId && sqlSources.length === 0) {
    return (
      <div className="page">
        <PageHeader title="New query" />
        <div className="card">
          <EmptyState
            title="Connect a database first"
            action={
              <Link className="btn btn--primary" to={`/orgs/${org.id}/data-sources/new`}>
                Add a data source
              </Link>
            }
          >
            Saved queries run against a PostgreSQL or MySQL data source. Add one, then come back to write your query.
          </EmptyState>
        </div>
      </div>
    )
  }

  const e = submit.fieldErrors
  return (
    <div className="page">
      <PageHeader
        title={title}
        description={<Link to={`/orgs/${org.id}/queries`}>← All queries</Link>}
        actions={
          queryId && writer ? (
            <ConfirmButton
              label="Delete"
              subject={`query ${draft.name}`}
              onConfirm={async () => {
                await api.delete(`/orgs/${org.id}/queries/${queryId}`)
                navigate(`/orgs/${org.id}/queries`)
              }}
            />
          ) : undefined
        }
      />
      <Form ref={formRef} className="card query-editor" onSubmit={submit.handleSubmit} error={submit.formError}>
        <div className="form-grid">
          <TextField label="Name" name="name" value={draft.name} onChange={set('name')} error={e.name} readOnly={!writer} required />
          <SelectField
            label="Data source"
            name="dataSourceId"
            value={draft.dataSourceId}
            onChange={set('dataSourceId')}
            error={e.dataSourceId}
            disabled={!writer}
            options={[...(draft.dataSourceId === '' ? [{ value: '', label: 'Choose…' }] : []), ...sqlSources.map((source) => ({ value: source.id, label: `${source.name} (${source.type === 'mysql' ? 'MySQL' : 'PostgreSQL'})` }))]}
          />
        </div>
        <div className={`field${e.queryText ? ' field--invalid' : ''}`}>
          <span className="label-like">SQL</span>
          <SqlEditor value={draft.queryText} onChange={setSql} onRun={handleRun} dialect={dialect} readOnly={!writer} label="SQL" />
          <p className="field-hint">One read-only SELECT, WITH or VALUES statement. Ctrl+Enter runs it.</p>
          {e.queryText ? <p className="field-error">{e.queryText}</p> : null}
        </div>
        <fieldset className="fieldset">
          <legend>Parameters</legend>
          <ParameterFields params={draft.parameters} errors={paramErrors} readOnly={!writer} onChange={(parameters) => setDraft((d) => ({ ...d, parameters }))} />
        </fieldset>
        <div className="form-grid">
          <TextField label="Cache (seconds)" name="cacheDuration" type="number" min={0} max={86400} value={draft.cacheDuration} onChange={set('cacheDuration')} error={e.cacheDuration} readOnly={!writer} hint="0 turns the cache off" />
          <TextField label="Row limit" name="rowLimit" type="number" min={1} max={100000} value={draft.rowLimit} onChange={set('rowLimit')} error={e.rowLimit} readOnly={!writer} />
          <TextField label="Timeout (ms)" name="timeoutMs" type="number" min={100} max={300000} value={draft.timeoutMs} onChange={set('timeoutMs')} error={e.timeoutMs} readOnly={!writer} />
        </div>
        <div className="form-actions">
          <Button variant={writer ? 'secondary' : 'primary'} onClick={handleRun} busy={run.status === 'running'} busyLabel="Running…">
            Run
          </Button>
          {writer ? (
            <Button type="submit" variant="primary" busy={submit.busy} busyLabel="Saving…">
              {queryId ? 'Save' : 'Save query'}
            </Button>
          ) : null}
        </div>
      </Form>
      <section className="card section" aria-labelledby="results-heading">
        <div className="section-header">
          <h2 id="results-heading">Results</h2>
        </div>
        {run.status === 'idle' ? <p className="muted">Run the query to see its rows here.</p> : null}
        {run.status === 'running' ? <Spinner label="Running the query…" /> : null}
        {run.status === 'failed' ? (
          <Alert title={run.code === 'query_timeout' ? 'The query timed out' : 'The query failed'}>
            <p>{run.message}</p>
          </Alert>
        ) : null}
        {run.status === 'done' ? <ResultTable result={run.result} /> : null}
      </section>
    </div>
  )
}
