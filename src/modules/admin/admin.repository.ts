import { sql, type ExpressionBuilder, type Selectable } from 'kysely'
import type { DB, Db } from '../../platform/db.ts'

export interface AdminUserRow {
  id: string
  email: string
  display_name: string
  first_name: string | null
  last_name: string | null
  status: string
  email_verified_at: Date | null
  two_factor_enabled: boolean
  locked_until: Date | null
  last_login_at: Date | null
  created_at: Date
  is_instance_admin: boolean
  active_sessions: string
}

export interface UserFilters {
  query?: string | undefined
  status?: string | undefined
}

type UsersEb = ExpressionBuilder<DB & { u: DB['auth.users'] }, 'u'>

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`)
}

function filterUsers(eb: UsersEb, filters: UserFilters) {
  const conditions = []
  const query = filters.query?.trim()
  if (query) {
    const pattern = `%${escapeLike(query)}%`
    conditions.push(
      eb.or([
        eb(sql`u.email::text`, 'ilike', pattern),
        eb('u.display_name', 'ilike', pattern),
        eb('u.first_name', 'ilike', pattern),
        eb('u.last_name', 'ilike', pattern),
      ]),
    )
  }
  if (filters.status) {
    conditions.push(eb('u.status', '=', filters.status))
  }
  return eb.and(conditions)
}

/** Users with their instance-admin flag and active session count; RLS shows administrators everyone. */
function selectAdminUsers(db: Db) {
  return db
    .selectFrom('auth.users as u')
    .select(['u.id', 'u.email', 'u.display_name', 'u.first_name', 'u.last_name', 'u.status', 'u.email_verified_at', 'u.two_factor_enabled', 'u.locked_until', 'u.last_login_at', 'u.created_at'])
    .select((eb) => [
      eb
        .exists(
          eb
            .selectFrom('auth.user_roles as ur')
            .innerJoin('auth.roles as r', 'r.id', 'ur.role_id')
            .select(sql`1`.as('one'))
            .whereRef('ur.user_id', '=', 'u.id')
            .where('r.name', '=', 'instance_admin')
            .where((inner) => inner.or([inner('ur.expires_at', 'is', null), inner('ur.expires_at', '>', sql<Date>`now()`)])),
        )
        .as('is_instance_admin'),
      eb
        .selectFrom('auth.sessions as s')
        .select((inner) => inner.fn.countAll<string>().as('n'))
        .whereRef('s.user_id', '=', 'u.id')
        .where('s.is_active', '=', true)
        .where('s.expires_at', '>', sql<Date>`now()`)
        .where('s.absolute_expires_at', '>', sql<Date>`now()`)
        .as('active_sessions'),
    ])
}

export async function listUsers(db: Db, filters: UserFilters, page: { limit: number; offset: number }): Promise<{ rows: AdminUserRow[]; total: number }> {
  const rows = await selectAdminUsers(db)
    .where((eb) => filterUsers(eb, filters))
    .orderBy('u.created_at', 'desc')
    .orderBy('u.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  const count = await db
    .selectFrom('auth.users as u')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => filterUsers(eb, filters))
    .executeTakeFirstOrThrow()
  return { rows: rows as AdminUserRow[], total: Number(count.n) }
}

export async function findAdminUser(db: Db, userId: string): Promise<AdminUserRow | undefined> {
  const row = await selectAdminUsers(db).where('u.id', '=', userId).executeTakeFirst()
  return row as AdminUserRow | undefined
}

/** Locks the user row so two administrators changing the status at once apply in order. */
export function lockUser(db: Db, userId: string): Promise<{ id: string; email: string; status: string } | undefined> {
  return db
    .selectFrom('auth.users')
    .select(['id', 'email', 'status'])
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst()
}

export async function setUserStatus(db: Db, userId: string, status: 'active' | 'suspended'): Promise<void> {
  await db.updateTable('auth.users').set({ status }).where('id', '=', userId).execute()
}

export type MailRow = Selectable<DB['app.mail_outbox']>

export async function listMail(db: Db, page: { limit: number; offset: number }): Promise<{ rows: MailRow[]; total: number }> {
  const rows = await db.selectFrom('app.mail_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute()
  const count = await db.selectFrom('app.mail_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  return { rows, total: Number(count.n) }
}
