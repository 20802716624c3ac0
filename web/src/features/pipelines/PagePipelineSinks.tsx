import { useEffect, useRef, useState } from 'react'
import { Link, useSearchParams } from 'react-router-dom'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { CopyField } from '../../components/CopyField.tsx'
import { ACTIONS_COLUMN, ApiTable } from '../../components/DataTable.tsx'
import { EmptyState } from '../../components/EmptyState.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { formatDate } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { canWrite } from '../data-sources/api.ts'
import { listOf } from '../organizations/api.ts'
import { pipelinesApi, type CreatedSink, type Pipeline, type Sink } from './api.ts'
import { AddSinkForm } from './components/AddSinkForm.tsx'
import { SinkDeliveries } from './components/SinkDeliveries.tsx'
import { SignatureHelp, SinkDeliveryState } from './components/SinkDeliveryState.tsx'
import { usePipeline } from './PipelineLayout.tsx'

const TYPE_LABELS = { webhook: 'Webhook', postgresql: 'PostgreSQL table', pipeline: 'Pipeline' } as const

function target(sink: Sink, names: Map<string, string>, orgId: string) {
  switch (sink.sinkType) {
    case 'webhook':
      return <span className="mono small">{String(sink.config.url ?? '')}</span>
    case 'postgresql':
      return <span className="mono small">{`${String(sink.config.host ?? '')}/${String(sink.config.database ?? '')} → ${String(sink.config.schema ?? 'public')}.${String(sink.config.table ?? '')}`}</span>
    case 'pipeline':
      return sink.targetPipelineId ? <Link to={`/orgs/${orgId}/pipelines/${sink.targetPipelineId}`}>{names.get(sink.targetPipelineId) ?? 'Pipeline'}</Link> : '—'
  }
}

export function PagePipelineSinks() {
  const { org, pipeline, reload } = usePipeline()
  const writer = canWrite(org.role)
  const sinks = useApi<{ sinks: Sink[] }>(`/orgs/${org.id}/pipelines/${pipeline.id}/sinks`)
  const pipelines = useApi<{ pipelines: Pipeline[] }>(`/orgs/${org.id}/pipelines`)
  const allPipelines = listOf<Pipeline>(pipelines.data, 'pipelines')
  const names = new Map(allPipelines.map((candidate) => [candidate.id, candidate.name]))
  const [created, setCreated] = useState<CreatedSink | undefined>(undefined)
  const [params, setParams] = useSearchParams()
  const shownSink = listOf<Sink>(sinks.data, 'sinks').find((sink) => sink.id === params.get('deliveries'))
  const sinkName = (sink: Sink) => sink.name ?? TYPE_LABELS[sink.sinkType]

  return (
    <>
      <Section title="Sinks" id="pipeline-sinks" description="Where each mapped batch goes besides storage: webhooks, PostgreSQL tables and other pipelines. Failed deliveries are retried.">
        <ApiTable
          state={sinks}
          loadingLabel="Loading sinks…"
          select={(data) => listOf<Sink>(data, 'sinks')}
          empty={<EmptyState title="No sinks yet">{writer ? 'Add one below to forward the records somewhere else.' : 'Owners, admins and members can add sinks.'}</EmptyState>}
          rowKey={(sink) => sink.id}
          rowClassName={(sink) => (sink.isActive ? undefined : 'row--muted')}
          columns={[
            { header: 'Name', cell: (sink) => sink.name ?? <span className="muted">Unnamed</span> },
            { header: 'Type', cell: (sink) => TYPE_LABELS[sink.sinkType] },
            { header: 'Target', cell: (sink) => target(sink, names, org.id) },
            { header: 'Delivery', cell: (sink) => <SinkDeliveryState sink={sink} /> },
            { header: 'Secrets', cell: (sink) => (sink.secretFields.length > 0 ? <span className="muted small">{sink.secretFields.join(', ')} (stored)</span> : '—') },
            { header: 'Added', cell: (sink) => formatDate(sink.createdAt) },
            {
              ...ACTIONS_COLUMN,
              cell: (sink) => (
                <span className="inline-actions nowrap">
                  <Button
                    variant="secondary"
                    className="btn--small"
                    aria-pressed={shownSink?.id === sink.id}
                    aria-label={`Deliveries of ${sinkName(sink)}`}
                    onClick={() => setParams(shownSink?.id === sink.id ? {} : { deliveries: sink.id })}
                  >
                    Deliveries
                  </Button>
                  {writer ? (
                  <ConfirmButton
                    label="Remove"
                    subject={`sink ${sink.name ?? TYPE_LABELS[sink.sinkType]}`}
                    onConfirm={async () => {
                      await pipelinesApi.removeSink(org.id, pipeline.id, sink.id)
                      sinks.reload()
                      reload()
                    }}
                  />
                  ) : null}
                </span>
              ),
            },
          ]}
        />
        <SignatureHelp />
      </Section>
      {shownSink ? (
        <Section
          title={`Deliveries of ${sinkName(shownSink)}`}
          id="sink-deliveries"
          actions={
            <Button variant="ghost" onClick={() => setParams({})}>
              Close
            </Button>
          }
          description="Newest first. Failures are retried with exponential backoff; a failed delivery can be retried by hand."
        >
          <SinkDeliveries key={shownSink.id} orgId={org.id} pipelineId={pipeline.id} sink={shownSink} writer={writer} onRetried={sinks.reload} />
        </Section>
      ) : null}
      {writer ? (
        <Section title="Add a sink" id="add-sink">
          {created?.signingSecret ? (
            <SigningSecret sink={created} onDismiss={() => setCreated(undefined)} />
          ) : (
            <AddSinkForm
              orgId={org.id}
              pipelineId={pipeline.id}
              pipelines={allPipelines}
              onAdded={(sink) => {
                setCreated(sink)
                sinks.reload()
                reload()
              }}
            />
          )}
        </Section>
      ) : null}
    </>
  )
}

/** The generated HMAC secret of a webhook sink: only its encrypted copy is kept, so it is shown once. */
function SigningSecret({ sink, onDismiss }: { sink: CreatedSink; onDismiss: () => void }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    ref.current?.focus()
  }, [])
  return (
    <div className="secret-panel" ref={ref} tabIndex={-1} role="region" aria-label="The signing secret of the new sink">
      <p className="secret-title">Webhook sink {sink.name ? `“${sink.name}” ` : ''}added</p>
      <div className="alert alert--warning" role="status">
        <p className="alert-title">Copy the signing secret now. You won't be able to see it again.</p>
        <p>
          The receiver checks <code>X-Tessera-Signature: sha256=…</code>, the HMAC-SHA256 of <code>{'<X-Tessera-Timestamp>.<body>'}</code> keyed with this secret.
        </p>
      </div>
      {sink.signingSecret ? <CopyField label="Signing secret" value={sink.signingSecret} /> : null}
      <Button variant="secondary" onClick={onDismiss}>
        I have stored the secret
      </Button>
    </div>
  )
}
