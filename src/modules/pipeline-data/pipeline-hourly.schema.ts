import { Type, type Static } from '@sinclair/typebox'

export const HourlyQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive, rounded down to the hour; default: 24 hours before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default: now. At most 92 days after `from`' })),
  },
  { additionalProperties: false },
)
export type HourlyQuery = Static<typeof HourlyQuery>

export const HourlyPoint = Type.Object({
  hour: Type.String({ format: 'date-time', description: 'Start of the UTC hour' }),
  recordCount: Type.Integer(),
  totalBytes: Type.Integer({ description: 'Stored size of the rows (pg_column_size), as counted in storage use' }),
})

export const HourlyResponse = Type.Object({
  points: Type.Array(HourlyPoint, { description: 'Oldest first; hours without rows are left out' }),
  asOf: Type.Union([Type.Null(), Type.String({ format: 'date-time' })], {
    description:
      'The instant the hourly rollup covers (it runs every minute); rows ingested since are counted from the stored rows directly while ' +
      'the rollup is less than two hours behind. Null before the rollup first ran.',
  }),
})
export type HourlyResponse = Static<typeof HourlyResponse>
