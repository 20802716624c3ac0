import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

export const SettingResponse = Type.Object({
  key: Type.String(),
  category: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  value: Type.Unknown({ description: 'Typed by `type`: integer/decimal → number, boolean → boolean, json/array → parsed JSON, string → string' }),
  type: Type.String({ description: 'string, integer, decimal, boolean, json or array' }),
  defaultValue: Type.Unknown({ description: 'Typed like value' }),
  allowedValues: Type.Union([Type.Array(Type.String()), Type.Null()]),
  min: Type.Union([Type.Number(), Type.Null()]),
  max: Type.Union([Type.Number(), Type.Null()]),
  validationRules: Type.Unknown({ description: '{ pattern?, minLength?, maxLength? } or null' }),
  isPublic: Type.Boolean(),
  isReadonly: Type.Boolean(),
  requiresRestart: Type.Boolean(),
  environment: Type.String({ description: "'all' or the environment the row overrides" }),
  lastModifiedBy: Nullable(Type.String({ format: 'uuid' })),
  lastModifiedReason: Nullable(Type.String()),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type SettingResponse = Static<typeof SettingResponse>

export const SettingListResponse = Type.Object({ settings: Type.Array(SettingResponse) })

export const PublicSettingsResponse = Type.Record(Type.String(), Type.Unknown(), { description: 'Public settings as { key: typed value }' })

export const SettingKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) })

export const UpdateSettingBody = Type.Object(
  {
    value: Type.Unknown({ description: 'The new value: a JSON value of the setting type, or its text form ("7", "true")' }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why it changed; kept with the setting and in the audit log' })),
  },
  { additionalProperties: false },
)
export type UpdateSettingBody = Static<typeof UpdateSettingBody>
