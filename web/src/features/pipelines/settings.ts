import type { Rule } from '../../lib/validate.ts'
import type { Pipeline, PipelineInput, PipelineType } from './api.ts'

/**
 * A pipeline's settings as its forms hold them, with the API's rules
 * (src/modules/pipelines/pipelines.schema.ts and .service.ts) checked before sending.
 */
export interface PipelineDraft {
  name: string
  description: string
  type: PipelineType | ''
  dataSourceId: string
  scheduleKind: 'interval' | 'cron'
  interval: string
  cron: string
  query: string
  maxRecords: string
  retentionDays: string
  compressAfterDays: string
  persistData: boolean
}

export const EMPTY_DRAFT: PipelineDraft = {
  name: '',
  description: '',
  type: '',
  dataSourceId: '',
  scheduleKind: 'interval',
  interval: '300',
  cron: '',
  query: '',
  maxRecords: '',
  retentionDays: '',
  compressAfterDays: '',
  persistData: true,
}

export const MAX_RUN_RECORDS = 1_000_000
const CRON_FIELD = /^[0-9A-Za-z*/,?#LW-]+$/

export function draftFrom(pipeline: Pipeline): PipelineDraft {
  const config = pipeline.sourceConfig
  return {
    name: pipeline.name,
    description: pipeline.description ?? '',
    type: pipeline.type,
    dataSourceId: pipeline.dataSourceId ?? '',
    scheduleKind: pipeline.cronSchedule ? 'cron' : 'interval',
    interval: pipeline.intervalSeconds === null ? '' : String(pipeline.intervalSeconds),
    cron: pipeline.cronSchedule ?? '',
    query: typeof config.query === 'string' ? config.query : '',
    maxRecords: typeof config.maxRecords === 'number' ? String(config.maxRecords) : '',
    retentionDays: pipeline.retentionDays === null ? '' : String(pipeline.retentionDays),
    compressAfterDays: pipeline.compressAfterDays === null ? '' : String(pipeline.compressAfterDays),
    persistData: pipeline.persistData,
  }
}

function wholeIn(text: string, min: number, max: number): boolean {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max
}

export function validCron(text: string): boolean {
  const fields = text.trim().split(/\s+/)
  return (fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field))
}

export function pipelineRules(draft: PipelineDraft): Rule[] {
  const polling = draft.type === 'polling'
  return [
    ['name', draft.name.trim() !== '' && draft.name.trim().length <= 255, 'Enter a name of at most 255 characters'],
    ['type', draft.type !== '', 'Choose how records reach the pipeline'],
    ['dataSourceId', !polling || draft.dataSourceId !== '', 'Choose the data source to fetch from'],
    ['intervalSeconds', !polling || draft.scheduleKind !== 'interval' || wholeIn(draft.interval, 10, 31_536_000), 'Use a whole number of seconds between 10 and 31536000'],
    ['cronSchedule', !polling || draft.scheduleKind !== 'cron' || validCron(draft.cron), 'Use five cron fields: minute hour day-of-month month day-of-week, e.g. */15 * * * *'],
    ['maxRecords', !polling || draft.maxRecords.trim() === '' || wholeIn(draft.maxRecords, 1, MAX_RUN_RECORDS), `Use a whole number between 1 and ${MAX_RUN_RECORDS}, or leave it empty`],
    ['retentionDays', draft.retentionDays.trim() === '' || wholeIn(draft.retentionDays, 1, 36_500), 'Use a whole number of days between 1 and 36500, or leave it empty to keep data'],
    ['compressAfterDays', draft.compressAfterDays.trim() === '' || wholeIn(draft.compressAfterDays, 1, 3_650), 'Use a whole number of days between 1 and 3650, or leave it empty for the default (7)'],
  ]
}

/** The source settings a polling run reads (query, maxRecords), merged over the ones already stored. */
export function sourceConfigOf(draft: PipelineDraft, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const { query: _query, maxRecords: _maxRecords, ...rest } = previous
  return {
    ...rest,
    ...(draft.query.trim() ? { query: draft.query.trim() } : {}),
    ...(draft.maxRecords.trim() ? { maxRecords: Number(draft.maxRecords) } : {}),
  }
}

/** The body of POST /pipelines or PATCH /pipelines/:id. */
export function pipelineInput(draft: PipelineDraft, previous?: Pipeline): PipelineInput {
  const polling = draft.type === 'polling'
  const input: PipelineInput = {
    name: draft.name.trim(),
    description: draft.description.trim() === '' ? null : draft.description.trim(),
    retentionDays: draft.retentionDays.trim() === '' ? null : Number(draft.retentionDays),
    compressAfterDays: draft.compressAfterDays.trim() === '' ? null : Number(draft.compressAfterDays),
  }
  if (draft.type !== 'p2p') {
    input.persistData = draft.persistData
  }
  if (polling) {
    input.dataSourceId = draft.dataSourceId
    input.intervalSeconds = draft.scheduleKind === 'interval' ? Number(draft.interval) : null
    input.cronSchedule = draft.scheduleKind === 'cron' ? draft.cron.trim() : null
    const config = sourceConfigOf(draft, previous?.sourceConfig)
    // PATCH replaces the whole sourceConfig (stored secrets too), so send it only when it changed.
    if (!previous || JSON.stringify(config) !== JSON.stringify(previous.sourceConfig)) {
      input.sourceConfig = config
    }
  }
  return input
}
