import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { useApi } from '../../lib/useApi.ts'
import { canWrite, type DataSource } from '../data-sources/api.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import type { CreatedPipeline } from './api.ts'
import { CreatePipelineForm } from './components/CreatePipelineForm.tsx'
import { WebhookUrlPanel } from './components/WebhookUrlPanel.tsx'
import type { PipelineDraft } from './settings.ts'

export function PageNewPipeline() {
  const { org } = useOrg()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const sources = useApi<{ dataSources: DataSource[] }>(`/orgs/${org.id}/data-sources`)
  const [created, setCreated] = useState<CreatedPipeline | undefined>(undefined)
  const back = (
    <p className="breadcrumb">
      <Link to={`/orgs/${org.id}/pipelines`}>← All pipelines</Link>
    </p>
  )

  if (!canWrite(org.role)) {
    return (
      <div className="page page--narrow">
        {back}
        <PageHeader title="New pipeline" />
        <Alert tone="info" title="Viewers can't create pipelines">
          <p>Ask an owner, admin or member of {org.name} to create it.</p>
        </Alert>
      </div>
    )
  }

  if (created?.webhookUrl) {
    return (
      <div className="page page--narrow">
        {back}
        <PageHeader title={`Pipeline “${created.name}” created`} />
        <WebhookUrlPanel url={created.webhookUrl} title="The webhook URL of your new pipeline">
          <p className="muted">Services that can only POST JSON to a URL send it here. Scripts can also use the ingest URL with an API key; the pipeline's Push data page explains both.</p>
          <div className="inline-actions">
            <Link className="btn btn--primary" to={`/orgs/${org.id}/pipelines/${created.id}/push`}>
              I have stored the URL — continue
            </Link>
          </div>
        </WebhookUrlPanel>
      </div>
    )
  }

  return (
    <div className="page page--narrow">
      {back}
      <PageHeader title="New pipeline" description="A pipeline brings records in, maps them to fields, stores them as a time series and forwards them to its sinks." />
      <Section title="Settings" id="pipeline-settings">
        <Loader state={sources} label="Loading data sources…">
          {(data) => {
            const preset = data.dataSources.find((source) => source.id === params.get('dataSourceId'))
            const initial: Partial<PipelineDraft> | undefined = preset
              ? preset.type === 'push'
                ? { type: 'realtime', name: preset.name }
                : { type: 'polling', dataSourceId: preset.id, name: preset.name }
              : undefined
            return (
              <CreatePipelineForm
                orgId={org.id}
                sources={data.dataSources}
                initial={initial}
                onCreated={(pipeline) => {
                  if (pipeline.webhookUrl) {
                    setCreated(pipeline)
                    return
                  }
                  navigate(`/orgs/${org.id}/pipelines/${pipeline.id}`)
                }}
              />
            )
          }}
        </Loader>
      </Section>
    </div>
  )
}
