import { SelectField, TextField } from '../../../components/Field.tsx'
import type { FieldErrors } from '../../../lib/api.ts'
import type { ApiDraft, PaginationType } from '../config.ts'

const PAGINATION_OPTIONS: Array<{ value: PaginationType; label: string }> = [
  { value: 'none', label: 'None (one request)' },
  { value: 'page', label: 'Page number (?page=1, 2, …)' },
  { value: 'offset', label: 'Offset and limit (?offset=0&limit=100)' },
  { value: 'cursor', label: 'Cursor from the response' },
]

/** How to walk the API's pages; it stops at an empty page or after the maximum number of pages. */
export function ApiPaginationFields({ draft, set, errors }: { draft: ApiDraft; set: (change: Partial<ApiDraft>) => void; errors: FieldErrors }) {
  const type = draft.paginationType
  const placeholder = type === 'page' ? 'page' : type === 'offset' ? 'offset' : 'cursor'
  return (
    <div className="form-grid">
      <SelectField label="Pagination" name="config.pagination.type" value={type} onChange={(value) => set({ paginationType: value as PaginationType })} error={errors['config.pagination.type']} options={PAGINATION_OPTIONS} />
      {type !== 'none' ? (
        <TextField
          label={type === 'page' ? 'Page parameter' : type === 'offset' ? 'Offset parameter' : 'Cursor parameter'}
          name="config.pagination.param"
          value={draft.param}
          onChange={(param) => set({ param })}
          error={errors['config.pagination.param']}
          placeholder={placeholder}
          spellCheck={false}
        />
      ) : null}
      {type === 'page' ? (
        <>
          <TextField label="Size parameter (optional)" name="config.pagination.sizeParam" value={draft.sizeParam} onChange={(sizeParam) => set({ sizeParam })} error={errors['config.pagination.sizeParam']} placeholder="per_page" spellCheck={false} />
          <TextField label="Page size" name="config.pagination.size" value={draft.size} onChange={(size) => set({ size })} error={errors['config.pagination.size']} inputMode="numeric" />
          <SelectField
            label="First page"
            name="config.pagination.startPage"
            value={draft.startPage}
            onChange={(startPage) => set({ startPage })}
            error={errors['config.pagination.startPage']}
            options={[
              { value: '1', label: '1' },
              { value: '0', label: '0' },
            ]}
          />
        </>
      ) : null}
      {type === 'offset' ? (
        <>
          <TextField label="Limit parameter" name="config.pagination.limitParam" value={draft.limitParam} onChange={(limitParam) => set({ limitParam })} error={errors['config.pagination.limitParam']} placeholder="limit" spellCheck={false} />
          <TextField label="Limit" name="config.pagination.limit" value={draft.limit} onChange={(limit) => set({ limit })} error={errors['config.pagination.limit']} inputMode="numeric" />
        </>
      ) : null}
      {type === 'cursor' ? (
        <TextField
          label="Next cursor path"
          name="config.pagination.cursorPath"
          value={draft.cursorPath}
          onChange={(cursorPath) => set({ cursorPath })}
          error={errors['config.pagination.cursorPath']}
          placeholder="meta.next_cursor"
          spellCheck={false}
          hint="Where each response holds the next cursor; an empty cursor ends the walk."
        />
      ) : null}
      {type !== 'none' ? (
        <TextField label="Maximum pages" name="config.pagination.maxPages" value={draft.maxPages} onChange={(maxPages) => set({ maxPages })} error={errors['config.pagination.maxPages']} inputMode="numeric" />
      ) : null}
    </div>
  )
}
