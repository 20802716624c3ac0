import { Spinner } from '../../components/Loading.tsx'
import { useApi } from '../../lib/useApi.ts'
import { canWrite, type DataSource } from '../data-sources/api.ts'
import { exampleRecord } from '../data-sources/schema.ts'
import type { DataRow } from './api.ts'
import { MappingEditor } from './components/MappingEditor.tsx'
import { usePipeline } from './PipelineLayout.tsx'
import { sampleText, savedExamples } from './sample.ts'

/**
 * The sample the preview starts with, best first: the one saved with the mapping, records
 * stored while there was no mapping (they are raw), an example shaped like the data source's
 * discovered schema.
 */
function initialSample(saved: unknown[] | undefined, rows: DataRow[] | undefined, source: DataSource | undefined): string {
  if (saved) {
    return sampleText(saved)
  }
  if (rows && rows.length > 0) {
    return sampleText(rows.slice(0, 5).map((row) => row.data))
  }
  const example = source ? exampleRecord(source.schemaMetadata) : undefined
  return example ? sampleText([example]) : ''
}

export function PagePipelineMapping() {
  const { org, pipeline, reload } = usePipeline()
  const saved = savedExamples(pipeline.mapping?.sourceSchema)
  const source = useApi<DataSource>(!saved && pipeline.dataSourceId ? `/orgs/${org.id}/data-sources/${pipeline.dataSourceId}` : null)
  const data = useApi<{ rows: DataRow[] }>(!saved && !pipeline.mapping ? `/orgs/${org.id}/pipelines/${pipeline.id}/data` : null, { limit: 5, from: new Date(0).toISOString() })

  // The sample is only a starting point: if a look-up fails, the editor opens without it.
  if (source.loading || data.loading) {
    return <Spinner label="Loading the mapping…" />
  }
  return (
    <MappingEditor
      key={pipeline.id}
      orgId={org.id}
      pipelineId={pipeline.id}
      mapping={pipeline.mapping}
      initialSample={initialSample(saved, data.data?.rows, source.data)}
      readOnly={!canWrite(org.role)}
      onSaved={reload}
    />
  )
}
