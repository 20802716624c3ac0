import type { Trx } from '../../platform/db.ts'
import { AppError, notFound } from '../../platform/errors.ts'
import type { SettingResponse } from './settings.schema.ts'
import { findSettingRows, listPublicSettings, updateSettingValue, type SettingRow } from './settings.repository.ts'
import { validateSettingValue } from './settings.validation.ts'

/** Settings are stored as text; the API hands them out typed by setting_type. */
export function typedSettingValue(type: string, raw: string | null): unknown {
  if (raw === null) {
    return null
  }
  switch (type) {
    case 'integer':
    case 'decimal': {
      const value = Number(raw)
      return Number.isFinite(value) ? value : raw
    }
    case 'boolean':
      return raw === 'true'
    case 'json':
    case 'array':
      try {
        return JSON.parse(raw) as unknown
      } catch {
        return raw
      }
    default:
      return raw
  }
}

export function toSettingResponse(row: SettingRow): SettingResponse {
  // Sensitive and encrypted values never leave the database through the API.
  const hidden = row.is_sensitive || row.is_encrypted
  return {
    key: row.setting_key,
    category: row.setting_category,
    name: row.setting_name,
    description: row.setting_description,
    value: hidden ? null : typedSettingValue(row.setting_type, row.setting_value),
    type: row.setting_type,
    defaultValue: hidden ? null : typedSettingValue(row.setting_type, row.default_value),
    allowedValues: row.allowed_values,
    min: row.min_value === null ? null : Number(row.min_value),
    max: row.max_value === null ? null : Number(row.max_value),
    validationRules: row.validation_rules,
    isPublic: row.is_public,
    isReadonly: row.is_readonly,
    requiresRestart: row.requires_restart,
    environment: row.environment,
    lastModifiedBy: row.last_modified_by,
    lastModifiedReason: row.last_modified_reason,
    updatedAt: row.updated_at.toISOString(),
  }
}

/** Public settings as { key: typed value }; a row for this environment overrides the 'all' row. */
export async function publicSettings(trx: Trx, environment: string): Promise<Record<string, unknown>> {
  const rows = await listPublicSettings(trx, environment)
  const result: Record<string, unknown> = {}
  for (const row of rows) {
    result[row.setting_key] = typedSettingValue(row.setting_type, row.setting_value)
  }
  return result
}

/**
 * Validates and stores a new value for `key` (the 'all' row, as the CLI does). The caller
 * must be an instance administrator; the audit trigger records the change with the reason.
 */
export async function updateSetting(trx: Trx, actorId: string, key: string, input: { value: unknown; reason?: string | undefined }): Promise<SettingRow> {
  const rows = await findSettingRows(trx, key)
  const row = rows.find((candidate) => candidate.environment === 'all') ?? rows[0]
  if (!row) {
    throw notFound('setting')
  }
  const canonical = validateSettingValue(row, input.value)
  const updated = await updateSettingValue(trx, row.id, { value: canonical, modifiedBy: actorId, reason: input.reason?.trim() || null })
  if (!updated) {
    // The update policy refuses read-only rows even if validation were bypassed.
    throw new AppError('setting_readonly', 400, `${key} is read-only`)
  }
  return updated
}
