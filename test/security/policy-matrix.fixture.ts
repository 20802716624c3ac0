import { randomBytes, randomUUID } from 'node:crypto'
import type pg from 'pg'
import { createDashboardRows } from './policy-matrix.dashboards-fixture.ts'
import { createDashboardVersionRows } from './policy-matrix.dashboard-versions-fixture.ts'
import { createIngestRows } from './policy-matrix.ingest-fixture.ts'
import { createSavedQueryRows } from './policy-matrix.saved-queries-fixture.ts'
import { createRequestLogRows } from './policy-matrix.request-logs-fixture.ts'
import { createTelemetryRows, createTimeSeriesRows } from './policy-matrix.time-series-fixture.ts'

/**
 * The people of the policy matrix. Organization A has one user per role plus a suspended
 * member; organization B has its owner and a member; the outsider belongs to nothing; the
 * instance administrator holds the instance_admin role and belongs to nothing either.
 */
export const USERS = ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended', 'bOwner', 'bMember', 'outsider', 'instanceAdmin'] as const
export type UserName = (typeof USERS)[number]

/**
 * Who runs each statement. Every user actor sets app.org_id to organization A: for bOwner,
 * the outsider and the suspended member that is an attempt to reach A. `orgOnly` sets
 * app.org_id without a user; `none` is a connection that never set any context.
 */
export const ACTORS = ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended', 'bOwner', 'outsider', 'instanceAdmin', 'orgOnly', 'none'] as const
export type ActorName = (typeof ACTORS)[number]
export type UserActorName = Exclude<ActorName, 'orgOnly' | 'none'>
export const USER_ACTORS = ACTORS.filter((actor): actor is UserActorName => actor !== 'orgOnly' && actor !== 'none')

export interface Actor {
  name: ActorName
  /** The actor's user id; null for orgOnly and none. */
  userId: string | null
}

export interface Fixture {
  orgA: string
  orgB: string
  teamA: string
  teamB: string
  user: Record<UserName, string>
  /** Id of the one fixture row of `table` labelled `label` (throws when there isn't exactly one). */
  id(table: string, label: string): string
  /** Label of a row, by its id as text. */
  label(table: string, id: string): string | undefined
  /** How many rows of `table` carry this label (0 when none). */
  count(table: string, label: string): number
}

/** A label → ids registry per table; several rows may share a label (audit rows of org A). */
class Rows {
  private readonly byTable = new Map<string, Map<string, string[]>>()
  private readonly labels = new Map<string, Map<string, string>>()

  add(table: string, label: string, id: string): void {
    const table_ = this.byTable.get(table) ?? new Map<string, string[]>()
    this.byTable.set(table, table_)
    table_.set(label, [...(table_.get(label) ?? []), id])
    const labels = this.labels.get(table) ?? new Map<string, string>()
    this.labels.set(table, labels)
    labels.set(id, label)
  }

  ids(table: string, label: string): string[] {
    return this.byTable.get(table)?.get(label) ?? []
  }

  label(table: string, id: string): string | undefined {
    return this.labels.get(table)?.get(id)
  }
}

const token = () => randomBytes(16).toString('hex')

/** Runs fn in one transaction whose request context is the given user (and organization). */
async function asUser<T>(client: pg.Client, userId: string, orgId: string, fn: () => Promise<T>): Promise<T> {
  await client.query('begin')
  try {
    await client.query("select set_config('app.user_id', $1, true), set_config('app.org_id', $2, true)", [userId, orgId])
    const result = await fn()
    await client.query('commit')
    return result
  } catch (error) {
    await client.query('rollback')
    throw error
  }
}

/**
 * Builds the committed fixture. Users register and organizations are created the way the
 * API does it, as tessera_app (`runtime`); every other row is arranged by the superuser
 * (`admin`), which is not what is under test. The audit rows come from the triggers.
 */
export async function createFixture(admin: pg.Client, runtime: pg.Client): Promise<Fixture> {
  const rows = new Rows()
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
  const insert = async (table: string, label: string, text: string, values: unknown[], idExpr = 'id::text'): Promise<string> => {
    const { rows: inserted } = await admin.query<{ id: string }>(`${text} returning ${idExpr} as id`, values)
    const id = inserted[0]?.id
    if (!id) {
      throw new Error(`fixture insert into ${table} returned no id`)
    }
    rows.add(table, label, id)
    return id
  }

  const user = {} as Record<UserName, string>
  for (const name of USERS) {
    const id = randomUUID()
    // Registration: the transaction's app.user_id is the id being inserted.
    await asUser(runtime, id, '', () =>
      runtime.query('insert into auth.users (id, email, password_hash, display_name) values ($1, $2, $3, $4)', [id, `${name.toLowerCase()}-${run}@matrix.test`, 'not-a-password-hash', name]))
    user[name] = id
    rows.add('auth.users', name, id)
  }
  const instanceAdminRole = await admin.query<{ id: string }>("select id::text from auth.roles where name = 'instance_admin'")
  rows.add('auth.roles', 'instance_admin', instanceAdminRole.rows[0]!.id)
  await insert('auth.user_roles', 'instanceAdmin', 'insert into auth.user_roles (user_id, role_id) values ($1, $2)', [user.instanceAdmin, instanceAdminRole.rows[0]!.id])
  const customRole = await insert('auth.roles', 'custom', "insert into auth.roles (name, description) values ($1, 'a role an instance administrator made')", [`matrix_${run}`])
  await insert('auth.user_roles', 'aMember', 'insert into auth.user_roles (user_id, role_id) values ($1, $2)', [user.aMember, customRole])

  const createOrganization = (owner: string, name: string) =>
    asUser(runtime, owner, '', async () => {
      const { rows: created } = await runtime.query<{ id: string }>('select private.create_organization($1, $2, null)::text as id', [name, `${name.toLowerCase()}-${run}`])
      return created[0]!.id
    })
  const orgA = await createOrganization(user.aOwner, 'Org-A')
  const orgB = await createOrganization(user.bOwner, 'Org-B')
  rows.add('app.organizations', 'A', orgA)
  rows.add('app.organizations', 'B', orgB)

  const creators = await admin.query<{ id: string; user_id: string }>('select id::text, user_id::text from app.organization_members')
  for (const row of creators.rows) {
    rows.add('app.organization_members', row.user_id === user.aOwner ? 'aOwner' : 'bOwner', row.id)
  }
  const members: [UserName, string, string, string][] = [
    ['aAdmin', orgA, 'admin', 'active'],
    ['aMember', orgA, 'member', 'active'],
    ['aViewer', orgA, 'viewer', 'active'],
    ['aSuspended', orgA, 'member', 'suspended'],
    ['bMember', orgB, 'member', 'active'],
  ]
  for (const [name, org, role, status] of members) {
    await insert('app.organization_members', name, 'insert into app.organization_members (organization_id, user_id, role, status, joined_at) values ($1, $2, $3, $4, now())', [org, user[name], role, status])
  }

  const teamA = await insert('app.teams', 'A', "insert into app.teams (organization_id, name) values ($1, 'Team A')", [orgA])
  const teamB = await insert('app.teams', 'B', "insert into app.teams (organization_id, name) values ($1, 'Team B')", [orgB])
  await insert('app.team_members', 'A', 'insert into app.team_members (organization_id, team_id, user_id) values ($1, $2, $3)', [orgA, teamA, user.aMember])
  await insert('app.team_members', 'B', 'insert into app.team_members (organization_id, team_id, user_id) values ($1, $2, $3)', [orgB, teamB, user.bMember])

  const invite = 'insert into app.invitations (organization_id, email, role, token_hash, invited_by, expires_at) values ($1, $2, $3, $4, $5, now() + interval \'7 days\')'
  await insert('app.invitations', 'A', invite, [orgA, `invitee-a-${run}@matrix.test`, 'member', token(), user.aOwner])
  await insert('app.invitations', 'A.owner', invite, [orgA, `future-owner-${run}@matrix.test`, 'owner', token(), user.aOwner])
  await insert('app.invitations', 'B', invite, [orgB, `invitee-b-${run}@matrix.test`, 'member', token(), user.bOwner])

  const key = "insert into auth.api_keys (organization_id, user_id, name, prefix, key_hash, scopes, revoked_at) values ($1, $2, 'matrix key', 'tsk_matrix', $3, '{read}', $4)"
  await insert('auth.api_keys', 'aOwner', key, [orgA, user.aOwner, token(), null])
  await insert('auth.api_keys', 'aAdmin', key, [orgA, user.aAdmin, token(), null])
  await insert('auth.api_keys', 'aAdmin.revoked', key, [orgA, user.aAdmin, token(), new Date()])
  // A key of a plain member: created while they were an admin, kept after a demotion.
  await insert('auth.api_keys', 'aMember', key, [orgA, user.aMember, token(), null])
  await insert('auth.api_keys', 'bOwner', key, [orgB, user.bOwner, token(), null])

  for (const name of USERS) {
    await insert('auth.sessions', name, "insert into auth.sessions (user_id, token_hash, expires_at, absolute_expires_at) values ($1, $2, now() + interval '1 day', now() + interval '30 days')", [user[name], token()])
    await insert('auth.email_verification_tokens', name, "insert into auth.email_verification_tokens (user_id, token_hash, email, expires_at) values ($1, $2, $3, now() + interval '1 day')", [user[name], token(), `${name.toLowerCase()}-${run}@matrix.test`])
    await insert('auth.password_reset_tokens', name, "insert into auth.password_reset_tokens (user_id, token_hash, expires_at) values ($1, $2, now() + interval '1 hour')", [user[name], token()])
  }
  await insert('app.mail_outbox', 'mail', "insert into app.mail_outbox (to_address, subject, body_text, template) values ('someone@matrix.test', 'Reset your password', 'a link', 'password_reset')", [])

  // Seeded settings, labelled by who may read and change them.
  const settings = await admin.query<{ id: string; key: string; label: string }>(
    `select id::text, setting_key as key,
            case when is_public then 'public' else 'private' end || case when is_readonly then 'Readonly' else '' end as label
       from app.system_settings`)
  for (const row of settings.rows) {
    rows.add('app.system_settings', row.label, row.id)
    rows.add('app.system_configuration', row.label, row.key)
  }
  await createIngestRows(admin, insert, (table, label, id) => rows.add(table, label, id), { orgA, orgB, owners: { A: user.aOwner, B: user.bOwner } })
  await createTimeSeriesRows(insert, { orgA, orgB })
  await createSavedQueryRows(insert, { orgA, orgB, sourceId: (org) => rows.ids('app.data_sources', org)[0] as string })
  await createTelemetryRows(admin, insert, (table, label, id) => rows.add(table, label, id), { orgA, orgB })
  await createRequestLogRows(insert, { orgA, orgB })
  await createDashboardRows(insert, { orgA, orgB, users: { A: user.aOwner, B: user.bOwner } })
  await createDashboardVersionRows(insert, { orgA, orgB, users: { A: user.aOwner, B: user.bOwner }, dashboardId: (org) => rows.ids('app.dashboards', org)[0] as string })
  // dashboard_stats (0230) over the dashboards just created, labelled by organization.
  await admin.query('select * from ops.refresh_analytics_views()')
  for (const row of (await admin.query<{ id: string; org: string }>('select id::text, organization_id::text as org from telemetry.dashboard_stats')).rows) {
    rows.add('telemetry.dashboard_statistics', row.org === orgA ? 'A' : row.org === orgB ? 'B' : `org ${row.org}`, row.id)
  }

  // Everything above went through the audit triggers.
  const audit = await admin.query<{ id: string; org: string | null }>('select id::text, organization_id::text as org from audit.audit_log')
  for (const row of audit.rows) {
    rows.add('audit.audit_log', row.org === orgA ? 'A' : row.org === orgB ? 'B' : row.org === null ? 'global' : `org ${row.org}`, row.id)
  }

  return {
    orgA,
    orgB,
    teamA,
    teamB,
    user,
    id(table, label) {
      const ids = rows.ids(table, label)
      if (ids.length !== 1 || !ids[0]) {
        throw new Error(`fixture has ${ids.length} rows of ${table} labelled ${label}, expected one`)
      }
      return ids[0]
    },
    label: (table, id) => rows.label(table, id),
    count: (table, label) => rows.ids(table, label).length,
  }
}
