import { Type, type Static } from '@sinclair/typebox'

/** A dashboard's usage tab (issue 5): views per day, who viewed it, edits, shares and exports. */

export const UsageQuery = Type.Object(
  {
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'How many days back, today included (UTC days)' })),
  },
  { additionalProperties: false },
)
export type UsageQuery = Static<typeof UsageQuery>

export const UsageResponse = Type.Object({
  days: Type.Integer(),
  totals: Type.Object({ views: Type.Integer(), viewers: Type.Integer(), edits: Type.Integer(), shares: Type.Integer(), exports: Type.Integer() }),
  perDay: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), views: Type.Integer(), viewers: Type.Integer() }), { description: 'Every day of the window, oldest first, zeros included' }),
  viewers: Type.Array(Type.Object({
    user: Type.Union([Type.Null(), Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), email: Type.String() })], { description: 'null for views by API keys or deleted users' }),
    views: Type.Integer(),
    lastViewedAt: Type.String({ format: 'date-time' }),
  }), { description: 'The 20 most frequent viewers' }),
})
export type UsageResponse = Static<typeof UsageResponse>
