import { AppError } from '../../platform/errors.ts'
import type { DashboardDataQuery } from './widgets.schema.ts'

const WINDOW_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * The data query of a view: a window ending now (range=24h) becomes from and to, as every
 * reader of dashboard data (the data endpoint, exports) resolves it; with from or to as well it
 * is ambiguous.
 */
export function resolveRange(query: DashboardDataQuery): DashboardDataQuery {
  const { range, ...rest } = query
  if (range === undefined) return rest
  if (rest.from !== undefined || rest.to !== undefined) {
    throw new AppError('invalid_time_range', 400, 'Give either range (a window ending now, e.g. 24h) or from and to, not both')
  }
  const to = Date.now()
  const unit = WINDOW_UNITS_MS[range.slice(-1) as keyof typeof WINDOW_UNITS_MS]
  return { ...rest, from: new Date(to - Number(range.slice(0, -1)) * unit).toISOString(), to: new Date(to).toISOString() }
}
