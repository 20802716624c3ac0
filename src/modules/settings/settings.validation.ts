import { AppError } from '../../platform/errors.ts'

export interface SettingRule {
  setting_key: string
  setting_type: string
  allowed_values: string[] | null
  min_value: string | null
  max_value: string | null
  validation_rules: unknown
  is_readonly: boolean
}

function invalid(key: string, message: string): AppError {
  return new AppError('invalid_setting_value', 400, `${key}: ${message}`, { details: [{ field: 'value', message }] })
}

/**
 * Checks a new value against the setting's type, allowed values, min/max and
 * validation_rules ({pattern, minLength, maxLength}); returns the canonical text form.
 */
export function validateSettingValue(rule: SettingRule, raw: unknown): string {
  if (rule.is_readonly) {
    throw new AppError('setting_readonly', 400, `${rule.setting_key} is read-only`)
  }
  const key = rule.setting_key
  let text: string
  switch (rule.setting_type) {
    case 'integer': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw invalid(key, 'must be a whole number')
      }
      checkRange(rule, value)
      text = String(value)
      break
    }
    case 'decimal': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalid(key, 'must be a number')
      }
      checkRange(rule, value)
      text = String(value)
      break
    }
    case 'boolean': {
      if (raw === true || raw === 'true') {
        text = 'true'
      } else if (raw === false || raw === 'false') {
        text = 'false'
      } else {
        throw invalid(key, 'must be true or false')
      }
      break
    }
    case 'json':
    case 'array': {
      let value = raw
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw)
        } catch {
          throw invalid(key, 'must be valid JSON')
        }
      }
      if (rule.setting_type === 'array' && !Array.isArray(value)) {
        throw invalid(key, 'must be a JSON array')
      }
      text = JSON.stringify(value)
      break
    }
    case 'string': {
      if (typeof raw !== 'string') {
        throw invalid(key, 'must be text')
      }
      text = raw
      break
    }
    default:
      throw invalid(key, `has unknown type ${rule.setting_type}`)
  }
  if (rule.allowed_values && rule.allowed_values.length > 0 && !rule.allowed_values.includes(text)) {
    throw invalid(key, `must be one of: ${rule.allowed_values.join(', ')}`)
  }
  const rules = (rule.validation_rules ?? {}) as { pattern?: string; minLength?: number; maxLength?: number }
  if (rules.pattern && !new RegExp(rules.pattern).test(text)) {
    throw invalid(key, `must match ${rules.pattern}`)
  }
  if (rules.minLength !== undefined && text.length < rules.minLength) {
    throw invalid(key, `must be at least ${rules.minLength} characters`)
  }
  if (rules.maxLength !== undefined && text.length > rules.maxLength) {
    throw invalid(key, `must be at most ${rules.maxLength} characters`)
  }
  return text
}

function checkRange(rule: SettingRule, value: number): void {
  if (rule.min_value !== null && value < Number(rule.min_value)) {
    throw invalid(rule.setting_key, `must be at least ${Number(rule.min_value)}`)
  }
  if (rule.max_value !== null && value > Number(rule.max_value)) {
    throw invalid(rule.setting_key, `must be at most ${Number(rule.max_value)}`)
  }
}
