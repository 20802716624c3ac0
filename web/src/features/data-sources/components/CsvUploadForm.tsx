import { useId, useRef, useState } from 'react'
import { TextField } from '../../../components/Field.tsx'
import { Form, FormActions } from '../../../components/Form.tsx'
import { capitalize } from '../../../lib/format.ts'
import { useSubmit } from '../../../lib/useSubmit.ts'
import { check } from '../../../lib/validate.ts'
import { dataSourcesApi, type DataSource } from '../api.ts'

/** Creates a CSV source by uploading the file; the header row names the columns and their types are inferred. */
export function CsvUploadForm({ orgId, onCreated }: { orgId: string; onCreated: (source: DataSource) => void }) {
  const formRef = useRef<HTMLFormElement>(null)
  const fileId = useId()
  const [file, setFile] = useState<File | undefined>(undefined)
  const [name, setName] = useState('')
  const [delimiter, setDelimiter] = useState('')

  const { busy, formError, fieldErrors, handleSubmit } = useSubmit(
    formRef,
    async () => {
      check([
        ['file', file !== undefined, 'Choose a CSV file'],
        ['name', name.trim().length <= 255, 'Use at most 255 characters'],
        ['delimiter', delimiter.length <= 1, 'Use a single character, or leave it empty to detect it'],
      ])
      if (!file) {
        return
      }
      const created = await dataSourcesApi.uploadCsv(orgId, file, { name: name.trim() || undefined, delimiter: delimiter || undefined })
      onCreated(created)
    },
    { knownFields: ['file'] },
  )
  const fileError = fieldErrors.file

  return (
    <Form ref={formRef} onSubmit={handleSubmit} error={formError} aria-label="Upload a CSV file">
      <div className={`field${fileError ? ' field--invalid' : ''}`}>
        <label htmlFor={fileId}>CSV file</label>
        <input
          id={fileId}
          name="file"
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => {
            const chosen = event.target.files?.[0]
            setFile(chosen)
            if (chosen && name === '') {
              setName(chosen.name.replace(/\.csv$/i, ''))
            }
          }}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={`${fileId}-hint${fileError ? ` ${fileId}-error` : ''}`}
        />
        <p className="field-hint" id={`${fileId}-hint`}>
          The first row is the header. Column types are inferred from the first 1,000 rows. The size limit is set by the instance (max_file_size_mb).
        </p>
        {fileError ? (
          <p className="field-error" id={`${fileId}-error`}>
            {capitalize(fileError)}
          </p>
        ) : null}
      </div>
      <div className="form-grid">
        <TextField label="Name" name="name" value={name} onChange={setName} error={fieldErrors.name} autoComplete="off" hint="Empty: the file name." />
        <TextField label="Delimiter (optional)" name="delimiter" value={delimiter} onChange={setDelimiter} error={fieldErrors.delimiter} maxLength={1} hint="Detected from the header line when empty." />
      </div>
      <FormActions busy={busy} busyLabel="Uploading…" submitLabel="Create data source" />
    </Form>
  )
}
