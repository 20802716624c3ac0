import { randomUUID } from 'node:crypto'
import { USER_ACTORS } from './policy-matrix.fixture.ts'
import { ALL_USERS, A_ACTIVE, DENIED, NEW, all, each, only, ownRows, secret, select, self, someoneElse, type Query, type TableSpec } from './policy-matrix.dsl.ts'

/** User-scoped and instance-wide tables: identities, sessions, tokens, instance roles, settings, mail. */
export const INSTANCE_TABLES: TableSpec[] = [
  {
    table: 'auth.users',
    statements: [
      {
        name: 'select',
        sql: select('auth.users'),
        // Oneself and the people of one's active organizations.
        expect: ownRows({
          ...each(A_ACTIVE, ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended']),
          bOwner: ['bOwner', 'bMember'],
          instanceAdmin: ALL_USERS,
        }),
      },
      {
        name: 'insert a user with another id (registration inserts only oneself)',
        sql: () => ({
          text: "insert into auth.users (id, email, password_hash, display_name) values ($1, $2, 'x', 'Someone') returning id::text",
          values: [randomUUID(), `someone-${randomUUID()}@matrix.test`],
        }),
        expect: only({ instanceAdmin: [NEW] }, DENIED),
      },
      {
        name: 'update every user',
        sql: () => ({ text: "update auth.users set display_name = 'Renamed' returning id::text" }),
        expect: ownRows({ instanceAdmin: ALL_USERS }),
      },
      {
        name: 'delete every user',
        sql: () => ({ text: 'delete from auth.users returning id::text' }),
        expect: only({ instanceAdmin: ALL_USERS }),
      },
    ],
  },
  {
    table: 'auth.sessions',
    statements: [
      { name: 'select', sql: select('auth.sessions'), expect: ownRows({ instanceAdmin: ALL_USERS }) },
      {
        name: 'insert a session for oneself',
        sql: (f, actor) => session(self(f, actor)),
        expect: only(each(USER_ACTORS, [NEW]), DENIED),
      },
      {
        name: 'insert a session for someone else',
        sql: (f, actor) => session(someoneElse(f, actor)),
        expect: all(DENIED),
      },
      {
        name: 'update every session',
        sql: () => ({ text: "update auth.sessions set is_active = false, invalidated_at = now(), invalidated_reason = 'matrix' returning id::text" }),
        // Administrators revoke other users' sessions.
        expect: ownRows({ instanceAdmin: ALL_USERS }),
      },
      { name: 'delete every session', sql: () => ({ text: 'delete from auth.sessions returning id::text' }), expect: ownRows() },
    ],
  },
  {
    table: 'auth.email_verification_tokens',
    statements: [
      { name: 'select', sql: select('auth.email_verification_tokens'), expect: ownRows() },
      {
        name: 'insert a token for oneself',
        sql: (f, actor) => verificationToken(self(f, actor)),
        expect: only(each(USER_ACTORS, [NEW]), DENIED),
      },
      {
        name: 'insert a token for someone else',
        sql: (f, actor) => verificationToken(someoneElse(f, actor)),
        expect: all(DENIED),
      },
      { name: 'update every token', sql: () => ({ text: 'update auth.email_verification_tokens set verified_at = now() returning id::text' }), expect: ownRows() },
      { name: 'delete every token', sql: () => ({ text: 'delete from auth.email_verification_tokens returning id::text' }), expect: all(DENIED) },
    ],
  },
  {
    table: 'auth.password_reset_tokens',
    statements: [
      { name: 'select', sql: select('auth.password_reset_tokens'), expect: ownRows() },
      {
        name: 'insert a token for oneself (only private.create_password_reset writes them)',
        sql: (f, actor) => ({
          text: "insert into auth.password_reset_tokens (user_id, token_hash, expires_at) values ($1, $2, now() + interval '1 hour') returning id::text",
          values: [self(f, actor), secret()],
        }),
        expect: all(DENIED),
      },
      { name: 'update every token', sql: () => ({ text: 'update auth.password_reset_tokens set used_at = now() returning id::text' }), expect: all(DENIED) },
      { name: 'delete every token', sql: () => ({ text: 'delete from auth.password_reset_tokens returning id::text' }), expect: all(DENIED) },
    ],
  },
  {
    table: 'auth.roles',
    statements: [
      { name: 'select', sql: select('auth.roles'), expect: only(each(USER_ACTORS, ['instance_admin', 'custom'])) },
      {
        name: 'insert a role',
        sql: () => ({ text: "insert into auth.roles (name) values ($1) returning id::text", values: [`role_${secret()}`] }),
        expect: only({ instanceAdmin: [NEW] }, DENIED),
      },
      {
        name: 'update every role (system roles are fixed)',
        sql: () => ({ text: "update auth.roles set description = 'changed' returning id::text" }),
        expect: only({ instanceAdmin: ['custom'] }),
      },
      { name: 'delete every role', sql: () => ({ text: 'delete from auth.roles returning id::text' }), expect: only({ instanceAdmin: ['custom'] }) },
    ],
  },
  {
    table: 'auth.user_roles',
    statements: [
      { name: 'select', sql: select('auth.user_roles'), expect: only({ aMember: ['aMember'], instanceAdmin: ['instanceAdmin', 'aMember'] }) },
      {
        // For the outsider this is granting oneself instance administration.
        name: 'grant instance_admin to the outsider',
        sql: (f) => ({ text: 'insert into auth.user_roles (user_id, role_id) values ($1, $2) returning id::text', values: [f.user.outsider, f.id('auth.roles', 'instance_admin')] }),
        expect: only({ instanceAdmin: [NEW] }, DENIED),
      },
      {
        name: 'update every role grant',
        sql: () => ({ text: "update auth.user_roles set expires_at = now() + interval '1 day' returning id::text" }),
        expect: only({ instanceAdmin: ['instanceAdmin', 'aMember'] }),
      },
      { name: 'delete every role grant', sql: () => ({ text: 'delete from auth.user_roles returning id::text' }), expect: only({ instanceAdmin: ['instanceAdmin', 'aMember'] }) },
    ],
  },
  {
    table: 'app.system_settings',
    statements: [
      {
        name: 'select',
        sql: select('app.system_settings'),
        // Signed-in users read public settings; nobody reads anything without a user.
        expect: only({ ...each(USER_ACTORS, ['public', 'publicReadonly']), instanceAdmin: ['public', 'publicReadonly', 'private', 'privateReadonly'] }),
      },
      {
        name: 'insert a setting',
        sql: () => ({ text: "insert into app.system_settings (setting_key, setting_category, setting_name) values ($1, 'test', 'Test') returning id::text", values: [`matrix.${secret()}`] }),
        expect: all(DENIED),
      },
      {
        name: 'update every setting (read-only ones are fixed)',
        sql: () => ({ text: 'update app.system_settings set setting_value = setting_value returning id::text' }),
        expect: only({ instanceAdmin: ['public', 'private'] }),
      },
      { name: 'delete every setting', sql: () => ({ text: 'delete from app.system_settings returning id::text' }), expect: all(DENIED) },
    ],
  },
  {
    table: 'app.system_configuration',
    idColumn: 'config_key',
    statements: [
      {
        name: 'select (a security_invoker view over app.system_settings)',
        sql: select('app.system_configuration', 'config_key'),
        expect: only({ ...each(USER_ACTORS, ['public', 'publicReadonly']), instanceAdmin: ['public', 'publicReadonly', 'private', 'privateReadonly'] }),
      },
      {
        name: 'update through the view',
        sql: () => ({ text: "update app.system_configuration set description = 'changed' returning config_key::text" }),
        expect: all(DENIED),
      },
    ],
  },
  {
    table: 'app.mail_outbox',
    statements: [
      // Unsent mail holds reset and invitation links: administrators only.
      { name: 'select', sql: select('app.mail_outbox'), expect: only({ instanceAdmin: ['mail'] }) },
      {
        // Pre-authentication flows (forgot password) queue mail without any context.
        name: 'queue a pending mail',
        sql: () => mail('pending'),
        returning: false,
        expect: all([NEW]),
      },
      { name: 'insert an already sent mail', sql: () => mail('sent'), returning: false, expect: all(DENIED) },
      { name: 'update every mail', sql: () => ({ text: "update app.mail_outbox set status = 'sent'" }), returning: false, expect: all(DENIED) },
      { name: 'delete every mail', sql: () => ({ text: 'delete from app.mail_outbox' }), returning: false, expect: all(DENIED) },
    ],
  },
]

function session(userId: string): Query {
  return {
    text: "insert into auth.sessions (user_id, token_hash, expires_at, absolute_expires_at) values ($1, $2, now() + interval '1 day', now() + interval '30 days') returning id::text",
    values: [userId, secret()],
  }
}

function verificationToken(userId: string): Query {
  return {
    text: "insert into auth.email_verification_tokens (user_id, token_hash, email, expires_at) values ($1, $2, 'new-address@matrix.test', now() + interval '1 day') returning id::text",
    values: [userId, secret()],
  }
}

function mail(status: string): Query {
  return {
    text: "insert into app.mail_outbox (to_address, subject, body_text, template, status) values ('someone@matrix.test', 'Hello', 'body', 'test', $1)",
    values: [status],
  }
}

