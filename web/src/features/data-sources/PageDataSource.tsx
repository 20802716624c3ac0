import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { Button } from '../../components/Button.tsx'
import { ConfirmButton } from '../../components/ConfirmButton.tsx'
import { Loader } from '../../components/Loading.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { errorMessage } from '../../lib/api.ts'
import { formatDateTime } from '../../lib/format.ts'
import { useApi } from '../../lib/useApi.ts'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { canWrite, dataSourcesApi, TYPE_LABELS, type DataSource } from './api.ts'
import { ConnectionTest } from './components/ConnectionTest.tsx'
import { CsvFileDetails } from './components/CsvFileDetails.tsx'
import { EditDataSourceForm } from './components/EditDataSourceForm.tsx'
import { HealthBadge } from './components/HealthBadge.tsx'
import { SchemaView } from './components/SchemaView.tsx'

export function PageDataSource() {
  const { org } = useOrg()
  const { dataSourceId = '' } = useParams()
  const navigate = useNavigate()
  const source = useApi<DataSource>(`/orgs/${org.id}/data-sources/${dataSourceId}`)
  const writer = canWrite(org.role)

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/data-sources`}>← All data sources</Link>
      </p>
      <Loader state={source} label="Loading data source…">
        {(data) => (
          <>
            <PageHeader
              title={data.name}
              description={data.description ?? `${TYPE_LABELS[data.type]} data source.`}
              actions={
                writer ? (
                  <Link className="btn btn--secondary" to={`/orgs/${org.id}/pipelines/new?dataSourceId=${data.id}`}>
                    Create a pipeline from it
                  </Link>
                ) : undefined
              }
            />
            <Section title="Connection" id="source-health">
              <dl className="details">
                <dt>Type</dt>
                <dd>{TYPE_LABELS[data.type]}</dd>
                <dt>Health</dt>
                <dd>
                  <HealthBadge source={data} />
                </dd>
                <dt>Created</dt>
                <dd>{formatDateTime(data.createdAt)}</dd>
              </dl>
              {writer && data.type !== 'push' ? (
                <ConnectionTest orgId={org.id} sourceId={data.id} lastError={data.lastHealthError} onTested={source.reload} />
              ) : data.lastHealthError ? (
                <Alert title="Last check failed">
                  <p className="mono">{data.lastHealthError}</p>
                </Alert>
              ) : null}
              {data.type === 'push' ? (
                <p className="muted">
                  Records reach a push source through a realtime pipeline: its ingest URL or webhook. <Link to={`/orgs/${org.id}/pipelines`}>Open pipelines</Link>.
                </p>
              ) : null}
            </Section>
            {data.file ? <CsvFileDetails file={data.file} /> : null}
            <Section title="Schema" id="source-schema" actions={writer && data.type !== 'push' ? <DiscoverButton orgId={org.id} sourceId={data.id} onDiscovered={source.reload} /> : undefined}>
              <SchemaView metadata={data.schemaMetadata} />
            </Section>
            {writer ? (
              <Section title="Settings" id="source-settings">
                <EditDataSourceForm key={data.id} orgId={org.id} source={data} onSaved={source.reload} />
                <div className="section-block danger-zone">
                  <p>Deleting the source removes its stored files. Pipelines that use it stop fetching until they get another source.</p>
                  <ConfirmButton
                    label="Delete data source"
                    confirmLabel="Delete this data source"
                    onConfirm={async () => {
                      await dataSourcesApi.remove(org.id, data.id)
                      navigate(`/orgs/${org.id}/data-sources`)
                    }}
                  />
                </div>
              </Section>
            ) : null}
          </>
        )}
      </Loader>
    </div>
  )
}

function DiscoverButton({ orgId, sourceId, onDiscovered }: { orgId: string; sourceId: string; onDiscovered: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  return (
    <div className="stack">
      <Button
        variant="secondary"
        busy={busy}
        busyLabel="Discovering…"
        onClick={() => {
          setBusy(true)
          setError(undefined)
          dataSourcesApi
            .discover(orgId, sourceId)
            .then(onDiscovered)
            .catch((caught: unknown) => setError(errorMessage(caught)))
            .finally(() => setBusy(false))
        }}
      >
        Discover schema
      </Button>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  )
}
