import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_ROLE, DEFINER_ROLE, LOG_WRITER_ROLE, OWNER_ROLE, RUNTIME_ROLE, assertSafeRuntimeRole, derivedRolePassword, withCredentials } from '../../src/platform/database-roles.ts'
import { createTestDatabase, type TestDatabase } from '../database.ts'
import { TEST_SECRET_KEY } from '../secret.ts'

/**
 * Catalog gate: structural rules every migration must keep, read from the PostgreSQL
 * catalogs of a freshly migrated database (as superuser: it is ground truth, not the thing
 * under test). A new table, view, function or grant that breaks one fails here first.
 */

const TENANT_SCHEMAS = ['auth', 'app', 'audit', 'ingest', 'ts', 'telemetry']
const TESSERA_SCHEMAS = ['auth', 'app', 'audit', 'ingest', 'ts', 'telemetry', 'ops', 'private']
const RUNTIME_ROLES = [APP_ROLE, RUNTIME_ROLE]

/** Tables of the tenant schemas that deliberately have no organization_id. */
const WITHOUT_ORGANIZATION_ID: Record<string, string> = {
  'auth.users': 'users are global identities; they join organizations through app.organization_members',
  'auth.roles': 'instance-wide roles (instance_admin), not an organization role',
  'auth.user_roles': 'grants of instance-wide roles to users',
  'auth.sessions': "a sign-in belongs to a user, who may switch between their organizations",
  'auth.password_reset_tokens': 'belong to a user, used before anyone is signed in',
  'auth.email_verification_tokens': 'belong to a user, not to an organization',
  'app.organizations': 'its id is the tenant key itself',
  'app.system_settings': 'instance-wide configuration, read and written by instance administrators',
  'app.mail_outbox': 'instance-wide queue; pre-authentication mail has no organization',
  'ingest.workflow_templates': "instance-wide workflow templates (seed 004's seeding script), read by anyone signed in",
}

let testDb: TestDatabase
let admin: pg.Client

beforeAll(async () => {
  testDb = await createTestDatabase()
  admin = new pg.Client({ connectionString: testDb.adminUrl })
  await admin.connect()
})

afterAll(async () => {
  await admin?.end()
})

async function rows<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await admin.query<T>(text, values)).rows
}

interface TableRow {
  name: string
  partition: boolean
  rls: boolean
  forced: boolean
  has_org: boolean
}

const tablesOf = (schemas: string[]) =>
  rows<TableRow>(
    `select n.nspname || '.' || c.relname as name, c.relispartition as partition,
            c.relrowsecurity as rls, c.relforcerowsecurity as forced,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped) as has_org
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p')
      order by 1`,
    [schemas])

describe('tables of the tenant schemas', () => {
  it('have Row-Level Security enabled and forced, partitions included', async () => {
    const tables = await tablesOf(TENANT_SCHEMAS)
    expect(tables.filter((t) => t.partition).length).toBeGreaterThan(0)
    expect(tables.filter((t) => !t.rls || !t.forced).map((t) => t.name)).toEqual([])
  })

  it('carry organization_id unless they are a listed exception', async () => {
    const tables = await tablesOf(TENANT_SCHEMAS)
    const missing = tables.filter((t) => !t.has_org && !(t.name in WITHOUT_ORGANIZATION_ID)).map((t) => t.name)
    expect(missing).toEqual([])
    // The list stays true: every exception exists and still has no organization_id.
    const byName = new Map(tables.map((t) => [t.name, t]))
    const stale = Object.keys(WITHOUT_ORGANIZATION_ID).filter((name) => byName.get(name)?.has_org !== false)
    expect(stale).toEqual([])
  })

  it('index organization_id (policies filter on it)', async () => {
    // A partitioned table may defer its organization index to closed partitions
    // (ops.deferred_indexes, built by partitions:maintain): its hot partitions are exempt.
    const unindexed = await rows<{ name: string }>(
      `select c.oid::regclass::text as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped
        where n.nspname = any($1) and c.relkind in ('r', 'p')
          and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum)
          and not exists (
            select 1 from ops.deferred_indexes d
             where d.definition like '(organization_id%'
               and d.parent_table in (c.oid::regclass::text,
                                      (select inh.inhparent::regclass::text from pg_inherits inh where inh.inhrelid = c.oid)))
        order by 1`,
      [TENANT_SCHEMAS])
    expect(unindexed).toEqual([])
  })
})

describe('ops schema', () => {
  it('holds no tenant data: no table has organization_id', async () => {
    const tables = await tablesOf(['ops'])
    expect(tables.length).toBeGreaterThan(0)
    expect(tables.filter((t) => t.has_org).map((t) => t.name)).toEqual([])
  })
})

describe('database roles', () => {
  it('gives the runtime roles no superuser, BYPASSRLS or role-management attribute', async () => {
    const roles = await rows(
      `select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication
         from pg_roles where rolname = any($1) order by rolname`,
      [RUNTIME_ROLES])
    expect(roles).toEqual(
      [APP_ROLE, RUNTIME_ROLE].sort().map((rolname) => ({ rolname, rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false })))
  })

  it('lets the runtime roles own no relation, function, type or schema', async () => {
    const owned = await rows<{ kind: string; name: string }>(
      `select 'relation' as kind, oid::regclass::text as name from pg_class where relowner = any(select oid from pg_roles where rolname = any($1))
       union all select 'function', oid::regprocedure::text from pg_proc where proowner = any(select oid from pg_roles where rolname = any($1))
       union all select 'type', oid::regtype::text from pg_type where typowner = any(select oid from pg_roles where rolname = any($1))
       union all select 'schema', nspname::text from pg_namespace where nspowner = any(select oid from pg_roles where rolname = any($1))`,
      [RUNTIME_ROLES])
    expect(owned).toEqual([])
  })

  it('lets the app login become only itself and tessera_runtime, neither of which bypasses RLS', async () => {
    const reachable = await rows(
      `select rolname, rolsuper, rolbypassrls from pg_roles where pg_has_role($1, oid, 'member') order by rolname`,
      [APP_ROLE])
    expect(reachable).toEqual([
      { rolname: APP_ROLE, rolsuper: false, rolbypassrls: false },
      { rolname: RUNTIME_ROLE, rolsuper: false, rolbypassrls: false },
    ])
  })

  it('gives BYPASSRLS to no Tessera login: only tessera_definer has it, and it cannot log in', async () => {
    const roles = await rows(
      `select rolname, rolcanlogin, rolsuper, rolbypassrls from pg_roles where rolname = any($1) order by rolname`,
      [[OWNER_ROLE, RUNTIME_ROLE, APP_ROLE, DEFINER_ROLE]])
    expect(roles).toEqual([
      { rolname: APP_ROLE, rolcanlogin: true, rolsuper: false, rolbypassrls: false },
      { rolname: DEFINER_ROLE, rolcanlogin: false, rolsuper: false, rolbypassrls: true },
      { rolname: OWNER_ROLE, rolcanlogin: true, rolsuper: false, rolbypassrls: false },
      { rolname: RUNTIME_ROLE, rolcanlogin: false, rolsuper: false, rolbypassrls: false },
    ])
  })

  it('passes assertSafeRuntimeRole as the app login and fails it as the owner', async () => {
    const runtime = new pg.Client({ connectionString: testDb.runtimeUrl })
    const owner = new pg.Client({ connectionString: testDb.ownerUrl })
    await Promise.all([runtime.connect(), owner.connect()])
    try {
      await expect(assertSafeRuntimeRole(runtime)).resolves.toBeUndefined()
      await expect(assertSafeRuntimeRole(owner)).rejects.toThrow(/must own nothing/)
    } finally {
      await Promise.all([runtime.end(), owner.end()])
    }
  })

  it('gives the runtime roles no TRUNCATE or TRIGGER on any table (TRUNCATE ignores RLS) and no CREATE anywhere', async () => {
    const grants = await rows<{ role: string; object: string; privilege: string }>(
      `select r.rolname as role, c.oid::regclass::text as object, p.privilege
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         cross join unnest(array['TRUNCATE', 'TRIGGER']) as p(privilege)
         cross join pg_roles r
        where r.rolname = any($1) and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
          and c.relkind in ('r', 'p', 'v', 'm', 'f') and has_table_privilege(r.oid, c.oid, p.privilege)
       union all
       select r.rolname, 'schema ' || n.nspname, 'CREATE' from pg_namespace n cross join pg_roles r
        where r.rolname = any($1) and has_schema_privilege(r.oid, n.oid, 'CREATE')
       union all
       select r.rolname, 'database', 'CREATE' from pg_roles r
        where r.rolname = any($1) and has_database_privilege(r.oid, current_database(), 'CREATE')`,
      [RUNTIME_ROLES])
    expect(grants).toEqual([])
  })
})

describe('audit log', () => {
  it('is append-only for the runtime roles: no INSERT, UPDATE, DELETE or TRUNCATE on it or its partitions', async () => {
    const tables = await rows<{ oid: string; name: string }>(
      `select c.oid::text, c.oid::regclass::text as name from pg_class c
        where c.oid = 'audit.audit_log'::regclass or c.oid in (select inhrelid from pg_inherits where inhparent = 'audit.audit_log'::regclass)`)
    expect(tables.length).toBeGreaterThan(1)
    const writable = await rows<{ role: string; name: string; privilege: string }>(
      `select r.rolname as role, c.oid::regclass::text as name, p.privilege
         from pg_class c cross join pg_roles r cross join unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) as p(privilege)
        where c.oid = any($1::oid[]) and r.rolname = any($2)
          and (has_table_privilege(r.oid, c.oid, p.privilege)
               or (p.privilege in ('INSERT', 'UPDATE') and has_any_column_privilege(r.oid, c.oid, p.privilege)))`,
      [tables.map((t) => t.oid), RUNTIME_ROLES])
    expect(writable).toEqual([])
  })
})

describe('views', () => {
  it('run with the caller’s rights (security_invoker) in every Tessera schema', async () => {
    const views = await rows<{ name: string; options: string[] | null }>(
      `select c.oid::regclass::text as name, c.reloptions as options
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind = 'v' order by 1`,
      [TESSERA_SCHEMAS])
    const invoker = (options: string[] | null) => (options ?? []).some((option) => /^security_invoker=(true|on|yes|1)$/i.test(option))
    expect(views.filter((view) => !invoker(view.options)).map((view) => view.name)).toEqual([])
  })

  it('keep every materialized view (no Row-Level Security) out of the runtime roles’ reach', async () => {
    // Tenants read the telemetry summaries through views over SECURITY DEFINER functions that
    // filter by organization (db/migrations/0181), never the materialized views themselves.
    const matviews = await rows<{ oid: string }>(
      `select c.oid::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'm' and n.nspname not in ('pg_catalog', 'information_schema')`)
    expect(matviews.length).toBeGreaterThan(0)
    const reachable = await rows<{ role: string; name: string; privilege: string }>(
      `select r.rolname as role, c.oid::regclass::text as name, p.privilege
         from pg_class c cross join pg_roles r
         cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as p(privilege)
        where c.oid = any($1::oid[]) and r.rolname = any($2)
          and (has_table_privilege(r.oid, c.oid, p.privilege)
               or (p.privilege in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') and has_any_column_privilege(r.oid, c.oid, p.privilege))
               or pg_has_role(r.oid, c.relowner, 'usage'))
        order by 1, 2, 3`,
      [matviews.map((m) => m.oid), RUNTIME_ROLES])
    expect(reachable).toEqual([])
  })
})

interface FunctionRow {
  signature: string
  schema: string
  owner: string
  config: string[] | null
  public_execute: boolean
  public_in_acl: boolean
}

const functionsWhere = (condition: string) =>
  rows<FunctionRow>(
    `select p.oid::regprocedure::text as signature, n.nspname as schema, pg_get_userbyid(p.proowner) as owner, p.proconfig as config,
            has_function_privilege('public', p.oid, 'execute') as public_execute,
            exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) acl where acl.grantee = 0 and acl.privilege_type = 'EXECUTE') as public_in_acl
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        and ${condition}
      order by 1`)

describe('functions', () => {
  it('pin search_path in every SECURITY DEFINER function, to schemas nobody else can write', async () => {
    const definers = await functionsWhere('p.prosecdef')
    expect(definers.length).toBeGreaterThan(0)
    const unpinned = definers
      .filter((f) => {
        const setting = (f.config ?? []).find((entry) => entry.startsWith('search_path='))
        return setting === undefined || /\bpublic\b|\$user/.test(setting)
      })
      .map((f) => f.signature)
    expect(unpinned).toEqual([])
  })

  it('let PUBLIC execute no SECURITY DEFINER function, nor any function of a Tessera schema', async () => {
    const definers = await functionsWhere('p.prosecdef')
    const tessera = await functionsWhere(`n.nspname in (${TESSERA_SCHEMAS.map((s) => `'${s}'`).join(', ')})`)
    expect(definers.length).toBeGreaterThan(0)
    const executable = [...definers, ...tessera].filter((f) => f.public_execute || f.public_in_acl).map((f) => f.signature)
    expect([...new Set(executable)]).toEqual([])
  })

  it('keep SECURITY DEFINER functions in schema private, owned by tessera_definer, which owns nothing else', async () => {
    const misplaced = (await functionsWhere('p.prosecdef')).filter((f) => f.schema !== 'private' || f.owner !== DEFINER_ROLE).map((f) => `${f.signature} (${f.owner})`)
    expect(misplaced).toEqual([])
    const owned = await rows<{ kind: string; name: string }>(
      `select 'relation' as kind, oid::regclass::text as name from pg_class where relowner = $1::regrole
       union all select 'type', oid::regtype::text from pg_type where typowner = $1::regrole
       union all select 'schema', nspname::text from pg_namespace where nspowner = $1::regrole
       union all select 'function outside private', oid::regprocedure::text from pg_proc where proowner = $1::regrole and pronamespace <> 'private'::regnamespace`,
      [DEFINER_ROLE])
    expect(owned).toEqual([])
    // Every private function went through ops.secure_private_functions().
    const notHandedOver = await rows(`select oid::regprocedure::text as name from pg_proc where pronamespace = 'private'::regnamespace and proowner <> $1::regrole`, [DEFINER_ROLE])
    expect(notHandedOver).toEqual([])
  })

  it('keep the operator helpers and the ops functions out of the runtime roles’ reach', async () => {
    const reachable = await rows<{ role: string; name: string }>(
      `select r.rolname as role, p.oid::regprocedure::text as name
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace cross join pg_roles r
        where r.rolname = any($1)
          and (n.nspname = 'ops' or (n.nspname = 'private' and (p.proname = 'grant_instance_admin' or p.proname like 'operator\\_%')))
          and has_function_privilege(r.oid, p.oid, 'execute')`,
      [RUNTIME_ROLES])
    expect(reachable).toEqual([])
    // The check above looked at something: the operator helpers exist.
    const operatorHelpers = await rows(`select 1 from pg_proc where pronamespace = 'private'::regnamespace and (proname = 'grant_instance_admin' or proname like 'operator\\_%')`)
    expect(operatorHelpers.length).toBeGreaterThan(0)
  })

  it('make every function a policy calls STABLE', async () => {
    const helpers = await rows<{ name: string; volatility: string }>(
      `select distinct p.oid::regprocedure::text as name, p.provolatile::text as volatility
         from pg_depend d join pg_proc p on p.oid = d.refobjid join pg_namespace n on n.oid = p.pronamespace
        where d.classid = 'pg_policy'::regclass and d.refclassid = 'pg_proc'::regclass and n.nspname <> 'pg_catalog'
        order by 1`)
    expect(helpers.map((h) => h.name)).toEqual(expect.arrayContaining(['app.current_org_id()', 'app.current_user_id()', 'private.current_org_role()', 'private.is_instance_admin()']))
    expect(helpers.filter((h) => h.volatility !== 's')).toEqual([])
  })
})

describe('request-log writer login', () => {
  it('is a plain login that belongs to no other role and holds no attribute beyond LOGIN', async () => {
    const roles = await rows(
      `select rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication from pg_roles where pg_has_role($1, oid, 'member')`,
      [LOG_WRITER_ROLE])
    expect(roles).toEqual([{ rolname: LOG_WRITER_ROLE, rolcanlogin: true, rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false }])
  })

  it('may INSERT into telemetry.request_logs and nothing else: no other table privilege, no function, no schema to create in', async () => {
    const privileges = await rows<{ object: string; privilege: string }>(
      `select c.oid::regclass::text as object, p.privilege
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) as p(privilege)
        where n.nspname = any($2) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
          and (has_table_privilege($1, c.oid, p.privilege)
               or (p.privilege in ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') and has_any_column_privilege($1, c.oid, p.privilege)))
       union all
       select 'schema ' || n.nspname, 'CREATE' from pg_namespace n where n.nspname = any($2) and has_schema_privilege($1, n.oid, 'CREATE')
       order by 1, 2`,
      [LOG_WRITER_ROLE, TESSERA_SCHEMAS])
    // Partitions are reached through the parent only: no grant of their own.
    expect(privileges).toEqual([{ object: 'telemetry.request_logs', privilege: 'INSERT' }])
    const functions = await rows<{ name: string }>(
      `select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('private', 'ops') and has_function_privilege($1, p.oid, 'EXECUTE')`,
      [LOG_WRITER_ROLE])
    expect(functions).toEqual([])
  })

  it('appends a request but reads none back, not even its own', async () => {
    const writer = new pg.Client({ connectionString: withCredentials(testDb.runtimeUrl, LOG_WRITER_ROLE, derivedRolePassword(TEST_SECRET_KEY, LOG_WRITER_ROLE)) })
    await writer.connect()
    try {
      const inserted = await writer.query(
        "insert into telemetry.request_logs (request_id, method, path, response_status_code, duration_ms, success) values ('gate', 'GET', '/api/v1/me', 401, 1, false)")
      expect(inserted.rowCount).toBe(1)
      await expect(writer.query('select count(*) from telemetry.request_logs')).rejects.toMatchObject({ code: '42501' })
      await expect(writer.query("insert into telemetry.request_logs (request_id, method, path, response_status_code, duration_ms, success) values ('gate', 'GET', '/x', 200, 1, true) returning id"))
        .rejects.toMatchObject({ code: '42501' })
      await expect(writer.query('select count(*) from auth.users')).rejects.toMatchObject({ code: '42501' })
    } finally {
      await writer.end()
    }
  })
})
