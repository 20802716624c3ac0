import { randomUUID } from 'node:crypto'
import { A_ACTIVE, A_MANAGERS, DENIED, NEW, all, each, only, secret, select, self, someoneElse, type Query, type TableSpec } from './policy-matrix.dsl.ts'
import type { Actor } from './policy-matrix.fixture.ts'

/** Organization-scoped tables: what each actor may do to organization A's rows (and B's). */
export const TENANCY_TABLES: TableSpec[] = [
  {
    table: 'app.organizations',
    statements: [
      {
        name: 'select',
        sql: select('app.organizations'),
        expect: only({ ...each(A_ACTIVE, ['A']), bOwner: ['B'], instanceAdmin: ['A', 'B'] }),
      },
      {
        name: 'insert directly (only private.create_organization creates organizations)',
        sql: (_f, actor) => ({ text: 'insert into app.organizations (name, slug) values ($1, $2) returning id::text', values: ['Direct', `direct-${actor.name.toLowerCase()}`] }),
        expect: all(DENIED),
      },
      {
        name: 'update every organization',
        sql: () => ({ text: "update app.organizations set description = 'changed' returning id::text" }),
        // A user manages the organizations they own or administer, whatever app.org_id says.
        expect: only({ ...each(A_MANAGERS, ['A']), bOwner: ['B'] }),
      },
      {
        name: 'delete every organization',
        sql: () => ({ text: 'delete from app.organizations returning id::text' }),
        expect: only({ aOwner: ['A'], bOwner: ['B'] }),
      },
    ],
  },
  {
    table: 'app.organization_members',
    statements: [
      {
        name: 'select',
        sql: select('app.organization_members'),
        // Members of A see A's members; anyone sees their own memberships.
        expect: only({ ...each(A_ACTIVE, ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended']), aSuspended: ['aSuspended'], bOwner: ['bOwner'] }),
      },
      {
        name: 'insert the outsider into A as a member',
        sql: (f) => ({ text: "insert into app.organization_members (organization_id, user_id, role) values ($1, $2, 'member') returning id::text", values: [f.orgA, f.user.outsider] }),
        expect: only(each(A_MANAGERS, [NEW]), DENIED),
      },
      {
        name: 'insert the outsider into A as an owner (owners only)',
        sql: (f) => ({ text: "insert into app.organization_members (organization_id, user_id, role) values ($1, $2, 'owner') returning id::text", values: [f.orgA, f.user.outsider] }),
        expect: only({ aOwner: [NEW] }, DENIED),
      },
      {
        name: 'insert the outsider into B (a foreign organization)',
        sql: (f) => ({ text: "insert into app.organization_members (organization_id, user_id, role) values ($1, $2, 'member') returning id::text", values: [f.orgB, f.user.outsider] }),
        expect: all(DENIED),
      },
      {
        name: 'update every membership to viewer',
        sql: () => ({ text: "update app.organization_members set role = 'viewer' returning id::text" }),
        // Admins never touch an owner's membership.
        expect: only({ aOwner: ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended'], aAdmin: ['aAdmin', 'aMember', 'aViewer', 'aSuspended'] }),
      },
      {
        name: "promote A's member to owner (owners only)",
        sql: (f) => ({ text: "update app.organization_members set role = 'owner' where id = $1 returning id::text", values: [f.id('app.organization_members', 'aMember')] }),
        expect: only({ aOwner: ['aMember'], aAdmin: DENIED }),
      },
      {
        name: "suspend A's owner (admins can't)",
        sql: (f) => ({ text: "update app.organization_members set status = 'suspended' where id = $1 returning id::text", values: [f.id('app.organization_members', 'aOwner')] }),
        // The owner may; the deferred organization_needs_owner trigger guards the last owner at commit.
        expect: only({ aOwner: ['aOwner'] }),
      },
      {
        name: "move A's member to organization B",
        sql: (f) => ({ text: 'update app.organization_members set organization_id = $1 where id = $2 returning id::text', values: [f.orgB, f.id('app.organization_members', 'aMember')] }),
        expect: only(each(A_MANAGERS, DENIED)),
      },
      {
        name: 'delete every membership',
        sql: () => ({ text: 'delete from app.organization_members returning id::text' }),
        // Owners remove anyone, admins anyone but owners, and every member may leave.
        expect: only({
          aOwner: ['aOwner', 'aAdmin', 'aMember', 'aViewer', 'aSuspended'],
          aAdmin: ['aAdmin', 'aMember', 'aViewer', 'aSuspended'],
          aMember: ['aMember'],
          aViewer: ['aViewer'],
          aSuspended: ['aSuspended'],
        }),
      },
    ],
  },
  {
    table: 'app.teams',
    statements: [
      { name: 'select', sql: select('app.teams'), expect: only(each(A_ACTIVE, ['A'])) },
      {
        name: 'insert a team into A',
        sql: (f) => ({ text: "insert into app.teams (organization_id, name) values ($1, 'New team') returning id::text", values: [f.orgA] }),
        expect: only(each(A_MANAGERS, [NEW]), DENIED),
      },
      {
        name: 'insert a team into B (a foreign organization)',
        sql: (f) => ({ text: "insert into app.teams (organization_id, name) values ($1, 'New team') returning id::text", values: [f.orgB] }),
        expect: all(DENIED),
      },
      {
        name: 'update every team',
        sql: () => ({ text: "update app.teams set description = 'changed' returning id::text" }),
        expect: only(each(A_MANAGERS, ['A'])),
      },
      {
        name: "move A's team to organization B",
        sql: (f) => ({ text: 'update app.teams set organization_id = $1 where id = $2 returning id::text', values: [f.orgB, f.teamA] }),
        expect: only(each(A_MANAGERS, DENIED)),
      },
      {
        name: 'delete every team',
        sql: () => ({ text: 'delete from app.teams returning id::text' }),
        expect: only(each(A_MANAGERS, ['A'])),
      },
    ],
  },
  {
    table: 'app.team_members',
    statements: [
      { name: 'select', sql: select('app.team_members'), expect: only(each(A_ACTIVE, ['A'])) },
      {
        name: "add A's viewer to A's team",
        sql: (f) => ({ text: 'insert into app.team_members (organization_id, team_id, user_id) values ($1, $2, $3) returning id::text', values: [f.orgA, f.teamA, f.user.aViewer] }),
        expect: only(each(A_MANAGERS, [NEW]), DENIED),
      },
      {
        name: "add B's member to B's team (a foreign organization)",
        sql: (f) => ({ text: 'insert into app.team_members (organization_id, team_id, user_id) values ($1, $2, $3) returning id::text', values: [f.orgB, f.teamB, f.user.bMember] }),
        expect: all(DENIED),
      },
      {
        name: 'update every team membership',
        sql: () => ({ text: "update app.team_members set role = 'maintainer' returning id::text" }),
        expect: only(each(A_MANAGERS, ['A'])),
      },
      {
        name: 'delete every team membership',
        sql: () => ({ text: 'delete from app.team_members returning id::text' }),
        expect: only(each(A_MANAGERS, ['A'])),
      },
    ],
  },
  {
    table: 'app.invitations',
    statements: [
      // Invitations carry token hashes: members and viewers don't see them.
      { name: 'select', sql: select('app.invitations'), expect: only(each(A_MANAGERS, ['A', 'A.owner'])) },
      {
        name: 'invite someone to A as a member',
        sql: (f, actor) => invitation(f.orgA, 'member', actor),
        expect: only(each(A_MANAGERS, [NEW]), DENIED),
      },
      {
        name: 'invite someone to A as an owner (owners only)',
        sql: (f, actor) => invitation(f.orgA, 'owner', actor),
        expect: only({ aOwner: [NEW] }, DENIED),
      },
      {
        name: 'invite someone to B (a foreign organization)',
        sql: (f, actor) => invitation(f.orgB, 'member', actor),
        expect: all(DENIED),
      },
      {
        name: 'revoke every invitation',
        sql: () => ({ text: 'update app.invitations set revoked_at = now() returning id::text' }),
        expect: only(each(A_MANAGERS, ['A', 'A.owner'])),
      },
      {
        name: "turn A's member invitation into an owner invitation (owners only)",
        sql: (f) => ({ text: "update app.invitations set role = 'owner' where id = $1 returning id::text", values: [f.id('app.invitations', 'A')] }),
        expect: only({ aOwner: ['A'], aAdmin: DENIED }),
      },
      {
        name: "re-address A's pending owner invitation (owners only)",
        sql: (f) => ({ text: 'update app.invitations set email = $1 where id = $2 returning id::text', values: [`taken-over-${randomUUID()}@matrix.test`, f.id('app.invitations', 'A.owner')] }),
        expect: only({ aOwner: ['A.owner'], aAdmin: DENIED }),
      },
      {
        name: 'delete every invitation',
        sql: () => ({ text: 'delete from app.invitations returning id::text' }),
        expect: only(each(A_MANAGERS, ['A', 'A.owner'])),
      },
    ],
  },
  {
    table: 'auth.api_keys',
    statements: [
      {
        name: 'select',
        sql: select('auth.api_keys'),
        // Owners and admins see the organization's keys; a member sees their own.
        expect: only({ ...each(A_MANAGERS, ['aOwner', 'aAdmin', 'aAdmin.revoked', 'aMember']), aMember: ['aMember'] }),
      },
      {
        name: 'create a key for oneself in A',
        sql: (f, actor) => apiKey(f.orgA, self(f, actor)),
        expect: only(each(A_MANAGERS, [NEW]), DENIED),
      },
      {
        name: 'create a key for another member of A',
        sql: (f, actor) => apiKey(f.orgA, someoneElse(f, actor)),
        expect: all(DENIED),
      },
      {
        name: 'create a key for oneself in B (a foreign organization)',
        sql: (f, actor) => apiKey(f.orgB, self(f, actor)),
        expect: all(DENIED),
      },
      {
        name: 'revoke every unrevoked key',
        sql: () => ({ text: 'update auth.api_keys set revoked_at = now(), revoked_by = app.current_user_id() where revoked_at is null returning id::text' }),
        expect: only({ ...each(A_MANAGERS, ['aOwner', 'aAdmin', 'aMember']), aMember: ['aMember'] }),
      },
      {
        name: "un-revoke A admin's revoked key (revocation is final)",
        sql: (f) => ({ text: 'update auth.api_keys set revoked_at = null where id = $1 returning id::text', values: [f.id('auth.api_keys', 'aAdmin.revoked')] }),
        expect: only(each(A_MANAGERS, DENIED)),
      },
      {
        // Whoever knows the new secret would call the API as A's owner.
        name: "replace the secret hash of A owner's key",
        sql: (f) => ({ text: 'update auth.api_keys set key_hash = $1 where id = $2 returning id::text', values: [secret(), f.id('auth.api_keys', 'aOwner')] }),
        expect: all(DENIED),
      },
      {
        name: "hand A admin's key over to A's owner",
        sql: (f) => ({ text: 'update auth.api_keys set user_id = $1 where id = $2 returning id::text', values: [f.user.aOwner, f.id('auth.api_keys', 'aAdmin')] }),
        expect: all(DENIED),
      },
      {
        name: 'delete every key',
        sql: () => ({ text: 'delete from auth.api_keys returning id::text' }),
        expect: only(each(A_MANAGERS, ['aOwner', 'aAdmin', 'aAdmin.revoked', 'aMember'])),
      },
    ],
  },
  {
    table: 'audit.audit_log',
    statements: [
      {
        name: 'select',
        sql: select('audit.audit_log'),
        expect: only({ ...each(A_MANAGERS, ['A']), instanceAdmin: ['A', 'B', 'global'] }),
      },
      {
        name: 'insert a forged entry (append-only: rows come from triggers)',
        sql: (f) => ({
          text: "insert into audit.audit_log (table_name, action, organization_id, event_type, event_category, event_action) values ('app.teams', 'EVENT', $1, 'forged', 'data', 'forged') returning id::text",
          values: [f.orgA],
        }),
        expect: all(DENIED),
      },
      { name: 'update every entry', sql: () => ({ text: "update audit.audit_log set event_type = 'tampered' returning id::text" }), expect: all(DENIED) },
      { name: 'delete every entry', sql: () => ({ text: 'delete from audit.audit_log returning id::text' }), expect: all(DENIED) },
    ],
  },
]

function invitation(orgId: string, role: string, actor: Actor): Query {
  return {
    text: "insert into app.invitations (organization_id, email, role, token_hash, invited_by, expires_at) values ($1, $2, $3, $4, $5, now() + interval '7 days') returning id::text",
    values: [orgId, `invitee-${randomUUID()}@matrix.test`, role, secret(), actor.userId],
  }
}

function apiKey(orgId: string, userId: string): Query {
  return {
    text: "insert into auth.api_keys (organization_id, user_id, name, prefix, key_hash, scopes) values ($1, $2, 'new key', 'tsk_new', $3, '{read}') returning id::text",
    values: [orgId, userId, secret()],
  }
}

