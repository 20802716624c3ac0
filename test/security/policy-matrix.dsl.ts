import { randomBytes } from 'node:crypto'
import { ACTORS, USER_ACTORS, USERS, type Actor, type ActorName, type Fixture, type UserName } from './policy-matrix.fixture.ts'

/**
 * The vocabulary of the policy matrix. Each statement runs as tessera_app in its own
 * transaction (rolled back) with the actor's context; its outcome is the set of fixture rows
 * it returned (RETURNING proves what a write did) or the SQLSTATE it failed with. Labels name
 * fixture rows (see policy-matrix.fixture.ts); NEW is a row the statement inserted.
 */

export const NEW = 'new'
/** insufficient_privilege: a missing grant or a WITH CHECK violation. */
export const DENIED = '42501'
export type Outcome = readonly string[] | typeof DENIED

export interface Query {
  text: string
  values?: unknown[]
}

export interface Statement {
  name: string
  sql(f: Fixture, actor: Actor): Query
  /**
   * RETURNING needs the row to pass the SELECT policy too, so a write the actor may do but
   * not read back (mail_outbox) counts affected rows instead.
   */
  returning?: false
  expect: Record<ActorName, Outcome>
}

export interface TableSpec {
  table: string
  /** The column that identifies a row (as text); `id` unless the relation has none. */
  idColumn?: string
  statements: Statement[]
}

/** Every actor gets `otherwise`, except those listed. */
export function only(listed: Partial<Record<ActorName, Outcome>>, otherwise: Outcome = []): Record<ActorName, Outcome> {
  return Object.fromEntries(ACTORS.map((actor) => [actor, listed[actor] ?? otherwise])) as Record<ActorName, Outcome>
}

export function each(actors: readonly ActorName[], outcome: Outcome): Partial<Record<ActorName, Outcome>> {
  return Object.fromEntries(actors.map((actor) => [actor, outcome]))
}

/** Each user actor gets its own row (labels of user-scoped rows are user names); the rest nothing. */
export function ownRows(listed: Partial<Record<ActorName, Outcome>> = {}): Record<ActorName, Outcome> {
  return only({ ...Object.fromEntries(USER_ACTORS.map((actor) => [actor, [actor]])), ...listed })
}

export const all = (outcome: Outcome) => only({}, outcome)
export const A_MANAGERS = ['aOwner', 'aAdmin'] as const
export const A_ACTIVE = ['aOwner', 'aAdmin', 'aMember', 'aViewer'] as const
export const ALL_USERS: readonly UserName[] = USERS

export const select = (table: string, idColumn = 'id'): Statement['sql'] => () => ({ text: `select ${idColumn}::text as id from ${table}` })
/** The actor's own user id, or a valid stand-in for actors without one (they are denied anyway). */
export const self = (f: Fixture, actor: Actor) => actor.userId ?? f.user.outsider
/** A user of organization A other than the actor. */
export const someoneElse = (f: Fixture, actor: Actor) => (actor.name === 'aMember' ? f.user.aViewer : f.user.aMember)
export const secret = () => randomBytes(16).toString('hex')
