import { sql } from 'kysely'
import type { Db } from '../../platform/db.ts'
import type { OrgActor } from '../organizations/org-actor.ts'
import { load } from '../dashboards/dashboards.service.ts'
import type { UsageQuery, UsageResponse } from './usage.schema.ts'

const EDIT = 2
const TOP_VIEWERS = 20

/**
 * The usage tab of one dashboard, from telemetry.dashboard_usage_logs (seed 000): views per
 * UTC day with distinct viewers, action totals and the most frequent viewers. Who viewed what
 * is for the dashboard's editors, not for every viewer.
 */
export async function dashboardUsage(db: Db, actor: OrgActor, dashboardId: string, query: UsageQuery): Promise<UsageResponse> {
  const dashboard = await load(db, actor, dashboardId, EDIT)
  const days = query.days ?? 30
  // Literal bounds keep the scan on the partitions of the window (the log is partitioned by month).
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z')
  const since = new Date(today.getTime() - (days - 1) * 86_400_000)
  const logs = () =>
    db.selectFrom('telemetry.dashboard_usage_logs as l')
      .where('l.organization_id', '=', actor.orgId)
      .where('l.dashboard_id', '=', dashboard.id)
      .where('l.created_at', '>=', since)

  const totals = await logs()
    .select([
      sql<number>`count(*) filter (where action = 'view')::int`.as('views'),
      sql<number>`count(distinct user_id) filter (where action = 'view')::int`.as('viewers'),
      sql<number>`count(*) filter (where action = 'edit')::int`.as('edits'),
      sql<number>`count(*) filter (where action = 'share')::int`.as('shares'),
      sql<number>`count(*) filter (where action = 'export')::int`.as('exports'),
    ])
    .executeTakeFirstOrThrow()

  const perDay = await sql<{ day: string; views: number; viewers: number }>`
    select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(v.views, 0)::int as views, coalesce(v.viewers, 0)::int as viewers
    from generate_series(${since}::timestamptz, ${today}::timestamptz, interval '1 day') as d(day)
    left join (
      select date_trunc('day', created_at, 'UTC') as day, count(*) as views, count(distinct user_id) as viewers
      from telemetry.dashboard_usage_logs
      where organization_id = ${actor.orgId} and dashboard_id = ${dashboard.id} and action = 'view' and created_at >= ${since}
      group by 1
    ) v on v.day = d.day
    order by d.day`.execute(db)

  const viewers = await logs()
    .leftJoin('auth.users as u', 'u.id', 'l.user_id')
    .where('l.action', '=', 'view')
    .select(['l.user_id', 'u.display_name', 'u.email', sql<number>`count(*)::int`.as('views'), sql<Date>`max(l.created_at)`.as('last_viewed_at')])
    .groupBy(['l.user_id', 'u.display_name', 'u.email'])
    .orderBy('views', 'desc')
    .orderBy('last_viewed_at', 'desc')
    .limit(TOP_VIEWERS)
    .execute()

  return {
    days,
    totals,
    perDay: perDay.rows,
    viewers: viewers.map((row) => ({
      user: row.user_id && row.email ? { id: row.user_id, name: row.display_name ?? row.email, email: row.email } : null,
      views: row.views,
      lastViewedAt: new Date(row.last_viewed_at).toISOString(),
    })),
  }
}
