import { Alert } from '../../../components/Alert.tsx'
import { DataTable } from '../../../components/DataTable.tsx'
import { EmptyState } from '../../../components/EmptyState.tsx'
import { formatDateTime } from '../../../lib/format.ts'
import { schemaFields, type SqlTable } from '../schema.ts'

type Metadata = Record<string, unknown>

/** What discovery found: tables and columns, the inferred JSON schema of a record, or a CSV's columns. */
export function SchemaView({ metadata }: { metadata: unknown }) {
  const meta = (metadata && typeof metadata === 'object' ? metadata : {}) as Metadata
  const discovered = typeof meta.discoveredAt === 'string' ? <p className="muted small">Discovered {formatDateTime(meta.discoveredAt)}.</p> : null
  if (typeof meta.error === 'string') {
    return (
      <>
        <Alert title="Discovery failed">
          <p className="mono">{meta.error}</p>
        </Alert>
        {discovered}
      </>
    )
  }
  switch (meta.kind) {
    case 'sql': {
      const tables = Array.isArray(meta.tables) ? (meta.tables as SqlTable[]) : []
      return (
        <>
          {discovered}
          {tables.length === 0 ? <EmptyState title="No tables found">The user can't see any table or view. Grant it SELECT on the tables to use.</EmptyState> : null}
          <ul className="schema-tables">
            {tables.map((table) => (
              <li key={`${table.schema}.${table.name}`}>
                <details>
                  <summary>
                    <span className="mono">{table.schema ? `${table.schema}.${table.name}` : table.name}</span> <span className="muted small">{table.type} · {table.columns.length} columns</span>
                  </summary>
                  <DataTable
                    compact
                    rows={table.columns}
                    rowKey={(column) => column.name}
                    empty={<p className="muted">No columns.</p>}
                    columns={[
                      { header: 'Column', className: 'mono', cell: (column) => column.name },
                      { header: 'Type', className: 'mono', cell: (column) => column.type },
                      { header: 'Nullable', cell: (column) => (column.nullable ? 'Yes' : 'No') },
                    ]}
                  />
                </details>
              </li>
            ))}
          </ul>
          {meta.truncated === true ? <p className="muted small">Only the first tables are listed.</p> : null}
        </>
      )
    }
    case 'json':
    case 'csv': {
      const fields = schemaFields(meta)
      return (
        <>
          {discovered}
          <p className="muted small">
            {meta.kind === 'json' ? `Inferred from ${String(meta.sampleSize ?? 0)} records.` : `${String(meta.rowCount ?? 0)} rows.`}
          </p>
          <DataTable
            compact
            rows={fields}
            rowKey={(field) => field.path}
            empty={<EmptyState title="No fields found">The sample had no records with fields. Check the records path.</EmptyState>}
            columns={[
              { header: meta.kind === 'json' ? 'Field (JSONPath)' : 'Column', className: 'mono', cell: (field) => (meta.kind === 'csv' ? field.name : field.path) },
              { header: 'Type', className: 'mono', cell: (field) => field.type },
            ]}
          />
        </>
      )
    }
    case 'push':
      return <p className="muted">{typeof meta.message === 'string' ? meta.message : 'Push sources have no schema until records arrive.'}</p>
    default:
      return <EmptyState title="No schema discovered yet">Discover the schema to see the tables, columns or fields this source offers.</EmptyState>
  }
}
