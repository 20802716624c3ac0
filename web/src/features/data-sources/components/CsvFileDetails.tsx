import { Section } from '../../../components/PageHeader.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import type { DataSourceFile } from '../api.ts'

function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** The uploaded file of a CSV source. */
export function CsvFileDetails({ file }: { file: DataSourceFile }) {
  return (
    <Section title="File" id="source-file">
      <dl className="details">
        <dt>Name</dt>
        <dd>{file.name}</dd>
        <dt>Rows</dt>
        <dd>{file.rowCount.toLocaleString()}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(file.sizeBytes)}</dd>
        <dt>Delimiter</dt>
        <dd className="mono">{file.delimiter === '\t' ? 'tab' : file.delimiter}</dd>
        <dt>Uploaded</dt>
        <dd>{formatDateTime(file.createdAt)}</dd>
      </dl>
    </Section>
  )
}
