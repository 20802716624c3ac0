import type { ParameterDefinition, ParameterType, ParameterValue, SavedQuery } from './api.ts'

/**
 * The editor's state and the pure rules behind it: which {{name}} parameters the SQL uses,
 * how typed test values become run values, and the request bodies. Kept apart from the page
 * so it can be tested without a browser.
 */

export interface ParamDraft {
  name: string
  type: ParameterType
  /** The test value as typed; a list is comma-separated. Saved as the parameter's default. */
  value: string
}

export interface QueryDraft {
  name: string
  description: string
  dataSourceId: string
  queryText: string
  parameters: ParamDraft[]
  cacheDuration: string
  rowLimit: string
  timeoutMs: string
}

export const EMPTY_DRAFT: QueryDraft = {
  name: '',
  description: '',
  dataSourceId: '',
  queryText: 'select 1 as answer',
  parameters: [],
  cacheDuration: '300',
  rowLimit: '1000',
  timeoutMs: '30000',
}

export const PARAMETER_TYPES: Array<{ value: ParameterType; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'list', label: 'List' },
]

// The server's rule (saved-queries.params.ts): {{ name }}, a letter or _ first.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** The parameter names the SQL uses, in order of first use. */
export function detectParameters(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))]
}

/** A name that looks like a date or a number gets that type when it first appears. */
function guessType(name: string): ParameterType {
  if (/(^|_)(date|day|since|until|from|to)$|_at$|_on$/i.test(name)) return 'date'
  if (/(^|_)(ids|list)$|s_in$/i.test(name)) return 'list'
  if (/(^|_)(min|max|limit|count|amount|total|price|qty|id|number|n)(_|$)/i.test(name)) return 'number'
  return 'text'
}

/** The parameters of the SQL as it is now: known ones keep their type and value, new ones are added, removed ones dropped. */
export function syncParameters(text: string, current: ParamDraft[]): ParamDraft[] {
  const byName = new Map(current.map((param) => [param.name, param]))
  return detectParameters(text).map((name) => byName.get(name) ?? { name, type: guessType(name), value: '' })
}

function parseValue(param: ParamDraft): { value?: ParameterValue; error?: string } {
  const raw = param.value.trim()
  switch (param.type) {
    case 'text':
      return { value: param.value }
    case 'number':
      return NUMERIC.test(raw) ? { value: Number(raw) } : { error: 'Enter a number' }
    case 'date':
      return DATE.test(raw) && !Number.isNaN(Date.parse(raw)) ? { value: raw } : { error: 'Enter a date as YYYY-MM-DD' }
    case 'list': {
      const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
      return items.length > 0 ? { value: items } : { error: 'Enter at least one value, separated by commas' }
    }
  }
}

/**
 * The run's values by name, or what is wrong with each test value. An empty value is left
 * out (the query binds NULL), except for text, where an empty string is a value.
 */
export function toRunValues(params: ParamDraft[]): { values: Record<string, ParameterValue>; errors: Record<string, string> } {
  const values: Record<string, ParameterValue> = {}
  const errors: Record<string, string> = {}
  for (const param of params) {
    if (param.value.trim() === '' && param.type !== 'text') continue
    const parsed = parseValue(param)
    if (parsed.error) errors[param.name] = parsed.error
    else if (parsed.value !== undefined) values[param.name] = parsed.value
  }
  return { values, errors }
}

/** Definitions to save: each parameter's type, and its test value as the default when it has one. */
export function toDefinitions(params: ParamDraft[]): ParameterDefinition[] {
  const { values } = toRunValues(params)
  return params.map((param) => ({ name: param.name, type: param.type, ...(values[param.name] !== undefined && param.value !== '' ? { default: values[param.name] } : {}) }))
}

function valueText(value: ParameterDefinition['default']): string {
  if (value === undefined || value === null) return ''
  return Array.isArray(value) ? value.join(', ') : String(value)
}

export function draftFromQuery(query: SavedQuery): QueryDraft {
  return {
    name: query.name,
    description: query.description ?? '',
    dataSourceId: query.dataSourceId,
    queryText: query.queryText,
    parameters: query.parameters.map((param) => ({ name: param.name, type: param.type, value: valueText(param.default) })),
    cacheDuration: String(query.cacheDuration),
    rowLimit: String(query.rowLimit),
    timeoutMs: String(query.timeoutMs),
  }
}

/** POST/PATCH body of the saved query. */
export function toQueryBody(draft: QueryDraft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    description: draft.description.trim() === '' ? null : draft.description,
    dataSourceId: draft.dataSourceId,
    queryText: draft.queryText,
    parameters: toDefinitions(syncParameters(draft.queryText, draft.parameters)),
    cacheDuration: Number(draft.cacheDuration),
    rowLimit: Number(draft.rowLimit),
    timeoutMs: Number(draft.timeoutMs),
  }
}

/** Whether the editor differs from the saved query in what a run depends on. */
export function changedSinceSave(draft: QueryDraft, saved: SavedQuery | undefined): boolean {
  if (!saved) return true
  const before = draftFromQuery(saved)
  return before.queryText !== draft.queryText || before.dataSourceId !== draft.dataSourceId || before.rowLimit !== draft.rowLimit || before.timeoutMs !== draft.timeoutMs ||
    JSON.stringify(before.parameters.map(({ name, type }) => [name, type])) !== JSON.stringify(draft.parameters.map(({ name, type }) => [name, type]))
}

/**
 * How Run asks the server: the saved query itself (its result cache applies, and viewers may
 * run it) when nothing a run depends on changed; otherwise the SQL in the editor as a preview
 * (writers only, never cached).
 */
export function runRequest(orgId: string, draft: QueryDraft, saved: SavedQuery | undefined, values: Record<string, ParameterValue>): { path: string; body: Record<string, unknown> } {
  if (saved && !changedSinceSave(draft, saved)) {
    return { path: `/orgs/${orgId}/queries/${saved.id}/run`, body: { params: values } }
  }
  const parameters = syncParameters(draft.queryText, draft.parameters).map(({ name, type }) => ({ name, type }))
  return {
    path: `/orgs/${orgId}/queries/preview`,
    body: { dataSourceId: draft.dataSourceId, queryText: draft.queryText, parameters, params: values, rowLimit: Math.min(Number(draft.rowLimit) || 100, 1000), timeoutMs: Number(draft.timeoutMs) || 30_000 },
  }
}
