import type { Db } from '../../platform/db.ts'
import { notFound } from '../../platform/errors.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { deleteKpi as deleteKpiRow, findKpi, findMetric, insertKpi, listKpis as listKpiRows, updateKpi as updateKpiRow, type KpiRow } from './metrics.repository.ts'
import type { CreateKpiBody, KpiResponse, UpdateKpiBody } from './metrics.schema.ts'
import { invalid } from './metrics.service.ts'

const num = (value: string | null) => (value === null ? null : Number(value))

export function toKpiResponse(row: KpiRow): KpiResponse {
  return {
    id: row.id,
    metricId: row.metric_id,
    name: row.name,
    description: row.description,
    targetValue: num(row.target_value),
    targetMax: num(row.target_max),
    targetType: row.target_type as KpiResponse['targetType'],
    timePeriod: row.time_period as KpiResponse['timePeriod'],
    alertRules: row.alert_rules as Record<string, unknown>,
    isActive: row.is_active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }
}

type KpiState = Omit<KpiResponse, 'id' | 'createdAt' | 'updatedAt'>

/** The target must make sense for its type; the database only guards the range bounds. */
async function check(db: Db, orgId: string, k: KpiState): Promise<void> {
  // The table checks btrim(name); answering here names the field instead of a bare 400.
  if (k.name.trim() === '') {
    throw invalid('body.name', 'must not be blank')
  }
  if (!(await findMetric(db, orgId, k.metricId))) {
    throw invalid('body.metricId', 'is not a metric of this organization')
  }
  if (k.targetValue === null) {
    throw invalid('body.targetValue', `is required for target type ${k.targetType}`)
  }
  if (k.targetType === 'range') {
    if (k.targetMax === null) {
      throw invalid('body.targetMax', 'is required for target type range (targetValue is the lower bound)')
    }
    if (k.targetMax < k.targetValue) {
      throw invalid('body.targetMax', 'must be at least targetValue')
    }
  }
  // A rule nobody hears about is a dead end: ask for a channel as soon as one is set.
  const rules = k.alertRules
  const ruleSet = (rules.attainmentPercent !== undefined && rules.attainmentPercent !== null) || rules.onCritical === true
  if (ruleSet && !(Array.isArray(rules.notify) && rules.notify.length > 0)) {
    throw invalid('body.alertRules.notify', 'needs at least one channel when an alert rule is set')
  }
}

const columns = (k: KpiState) => ({
  metric_id: k.metricId,
  name: k.name,
  description: k.description,
  target_value: k.targetValue,
  target_max: k.targetType === 'range' ? k.targetMax : null,
  target_type: k.targetType,
  time_period: k.timePeriod,
  alert_rules: JSON.stringify(k.alertRules),
  is_active: k.isActive,
})

export async function createKpi(db: Db, actor: OrgActor, body: CreateKpiBody): Promise<KpiResponse> {
  const k: KpiState = {
    metricId: body.metricId,
    name: body.name,
    description: body.description ?? null,
    targetValue: body.targetValue ?? null,
    targetMax: body.targetMax ?? null,
    targetType: body.targetType ?? 'exact',
    timePeriod: body.timePeriod ?? 'monthly',
    alertRules: body.alertRules ?? {},
    isActive: body.isActive ?? true,
  }
  await check(db, actor.orgId, k)
  return toKpiResponse(await insertKpi(db, { ...columns(k), organization_id: actor.orgId, created_by: actor.userId }))
}

async function requireKpi(db: Db, orgId: string, id: string): Promise<KpiRow> {
  const row = await findKpi(db, orgId, id)
  if (!row) {
    throw notFound('KPI')
  }
  return row
}

export async function getKpi(db: Db, actor: OrgActor, id: string): Promise<KpiResponse> {
  return toKpiResponse(await requireKpi(db, actor.orgId, id))
}

export async function listKpis(db: Db, actor: OrgActor, metricId: string | undefined): Promise<KpiResponse[]> {
  return (await listKpiRows(db, actor.orgId, metricId)).map(toKpiResponse)
}

export async function updateKpi(db: Db, actor: OrgActor, id: string, body: UpdateKpiBody): Promise<KpiResponse> {
  const merged = { ...toKpiResponse(await requireKpi(db, actor.orgId, id)), ...body }
  await check(db, actor.orgId, merged)
  const row = await updateKpiRow(db, actor.orgId, id, columns(merged))
  if (!row) {
    throw notFound('KPI')
  }
  return toKpiResponse(row)
}

export async function deleteKpi(db: Db, actor: OrgActor, id: string): Promise<void> {
  if (!(await deleteKpiRow(db, actor.orgId, id))) {
    throw notFound('KPI')
  }
}
