import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { Alert } from '../../components/Alert.tsx'
import { PageHeader, Section } from '../../components/PageHeader.tsx'
import { RadioCards, type RadioCardOption } from '../../components/RadioCards.tsx'
import { useOrg } from '../organizations/OrgLayout.tsx'
import { canWrite, type DataSource } from './api.ts'
import { CreateDataSourceForm } from './components/CreateDataSourceForm.tsx'
import { CsvUploadForm } from './components/CsvUploadForm.tsx'

type Choice = 'postgresql' | 'mysql' | 'api' | 'csv' | 'push'

const CHOICES: Array<RadioCardOption<Choice>> = [
  { value: 'postgresql', label: 'PostgreSQL', description: 'Query a PostgreSQL database, read-only.' },
  { value: 'mysql', label: 'MySQL / MariaDB', description: 'Query a MySQL or MariaDB database, read-only.' },
  { value: 'api', label: 'HTTP JSON API', description: 'Poll a JSON endpoint, with authentication and pagination.' },
  { value: 'csv', label: 'CSV upload', description: 'Upload a file; columns and types are detected.' },
  { value: 'push', label: 'Push (webhook / ingest API)', description: 'Your applications send records to Tessera.' },
]

function isChoice(value: string | null): value is Choice {
  return CHOICES.some((choice) => choice.value === value)
}

export function PageNewDataSource() {
  const { org } = useOrg()
  const navigate = useNavigate()
  const [params, setParams] = useSearchParams()
  const requested = params.get('type')
  const type = isChoice(requested) ? requested : ''
  const back = (
    <p className="breadcrumb">
      <Link to={`/orgs/${org.id}/data-sources`}>← All data sources</Link>
    </p>
  )

  if (!canWrite(org.role)) {
    return (
      <div className="page page--narrow">
        {back}
        <PageHeader title="New data source" />
        <Alert tone="info" title="Viewers can't add data sources">
          <p>Ask an owner, admin or member of {org.name} to add it.</p>
        </Alert>
      </div>
    )
  }

  const handleCreated = (source: DataSource) => navigate(`/orgs/${org.id}/data-sources/${source.id}`, { state: { created: true } })

  return (
    <div className="page page--narrow">
      {back}
      <PageHeader title="New data source" description="Choose where the data comes from, then fill in how to reach it." />
      <Section title="Type" id="source-type">
        {/* The type lives in the URL so Back returns to the choice. */}
        <RadioCards legend="Data source type" name="type" value={type} options={CHOICES} onChange={(value) => setParams({ type: value }, { replace: true })} />
      </Section>
      {type === '' ? null : (
        <Section title="Settings" id="source-settings">
          {type === 'csv' ? <CsvUploadForm orgId={org.id} onCreated={handleCreated} /> : <CreateDataSourceForm key={type} orgId={org.id} type={type} onCreated={handleCreated} />}
        </Section>
      )}
    </div>
  )
}
