import { Link } from 'react-router-dom'
import { CodeBlock } from '../../components/CodeBlock.tsx'
import { CopyField } from '../../components/CopyField.tsx'
import { Section } from '../../components/PageHeader.tsx'
import { canManage } from '../organizations/api.ts'
import { canWrite } from '../data-sources/api.ts'
import { usePipeline } from './PipelineLayout.tsx'
import { WebhookSection } from './components/WebhookSection.tsx'

const RECORDS = [
  { event: 'signup', user_id: 42, plan: 'pro', at: '2024-05-01T12:00:00Z' },
  { event: 'login', user_id: 7, at: '2024-05-01T12:00:05Z' },
]

export function PagePipelinePush() {
  const { org, pipeline, reload } = usePipeline()
  const ingestUrl = `${window.location.origin}/api/v1/ingest/${pipeline.id}`
  const keysLink = canManage(org.role) ? (
    <Link to={`/orgs/${org.id}/api-keys`}>Create an API key</Link>
  ) : (
    <>Ask an owner or admin of {org.name} for an API key</>
  )
  const json = JSON.stringify(RECORDS)
  const ndjson = RECORDS.map((record) => JSON.stringify(record)).join('\n')

  if (pipeline.type === 'polling') {
    return (
      <Section title="Push data" id="push">
        <p className="muted">This is a polling pipeline: Tessera fetches its records from its data source. Create a realtime or pass-through pipeline to push records.</p>
      </Section>
    )
  }

  return (
    <>
      <Section title="Ingest API" id="push-ingest" description="Scripts and services POST batches of records to this URL.">
        <div className="stack wrap-anywhere">
          <CopyField label="Ingest URL" value={ingestUrl} />
          <p>
            Authenticate with <code>Authorization: Bearer &lt;API key with ingest scope&gt;</code>. {keysLink} with the <strong>ingest</strong> scope; it acts as its creator, who must be an owner, admin or member.
          </p>
          <CodeBlock
            label="curl, a JSON array"
            code={`curl -X POST '${ingestUrl}' \\\n  -H 'Authorization: Bearer <API key with ingest scope>' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Idempotency-Key: batch-2024-05-01-0001' \\\n  --data '${json}'`}
          />
          <CodeBlock label="curl, NDJSON (one record per line)" code={`curl -X POST '${ingestUrl}' \\\n  -H 'Authorization: Bearer <API key with ingest scope>' \\\n  -H 'Content-Type: application/x-ndjson' \\\n  --data-binary @records.ndjson`} />
          <CodeBlock label="records.ndjson" code={ndjson} />
          <h3>The answer</h3>
          <p>
            <code>{'{ "accepted": 2, "rejected": 0, "filtered": 0, "errors": [], "ingestionJobId": "…" }'}</code> once the batch is committed. Valid records are stored and the invalid ones listed in <code>errors</code> with their index; add{' '}
            <code>?atomic=true</code> to store nothing when any record is invalid (422). Gzip the body with <code>Content-Encoding: gzip</code>. Batches are limited to 10,000 records and 10 MB unless the instance says otherwise.
          </p>
          <h3>Idempotency-Key</h3>
          <p>
            Send a unique <code>Idempotency-Key</code> header per batch and retry safely: a replay of a completed batch answers the same result and stores nothing again. The same key with another body answers 422, and 409 while the first request is still running.
          </p>
          {pipeline.status === 'paused' ? <p className="muted">While the pipeline is paused, pushes answer 409 pipeline_paused.</p> : null}
        </div>
      </Section>
      {pipeline.type === 'realtime' ? <WebhookSection orgId={org.id} pipeline={pipeline} canRotate={canWrite(org.role)} onRotated={reload} /> : null}
    </>
  )
}
