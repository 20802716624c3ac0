import { Type, type Static } from '@sinclair/typebox'

const Uuid = Type.String({ format: 'uuid' })
const DateTime = Type.String({ format: 'date-time' })
const NullableDateTime = Type.Union([DateTime, Type.Null()])

export const ApiKeyScope = Type.Union([Type.Literal('ingest'), Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')])

export const ApiKeyParams = Type.Object({ orgId: Type.String(), keyId: Uuid })

export const ApiKeyResponse = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key (tsk_xxxxxxxx), to recognise it' }),
  scopes: Type.Array(ApiKeyScope),
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  expiresAt: NullableDateTime,
  revokedAt: NullableDateTime,
  createdBy: Uuid,
  createdByName: Type.Union([Type.String(), Type.Null()], { description: 'Null when the creator is no longer visible to you (left the organization)' }),
})
export type ApiKeyResponse = Static<typeof ApiKeyResponse>

export const CreatedApiKeyResponse = Type.Composite([
  ApiKeyResponse,
  Type.Object({ key: Type.String({ description: 'The secret; shown once, store it now' }) }),
])
export type CreatedApiKeyResponse = Static<typeof CreatedApiKeyResponse>

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ApiKeyScope, { minItems: 1, maxItems: 4, uniqueItems: true }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'Must be in the future; no expiry when omitted' })),
  },
  { additionalProperties: false },
)
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>
