-- Schemas, the request context helpers every policy reads, and shared trigger functions.
-- Roles tessera_runtime (grants), tessera_app (login) and tessera_definer (owner of the
-- SECURITY DEFINER helpers) exist before this runs: see docs/database-roles.md.

create schema if not exists auth;
create schema if not exists app;
create schema if not exists audit;
create schema if not exists ops;
-- Holds SECURITY DEFINER helpers; not exposed through any API.
create schema if not exists private;

revoke all on schema auth, app, audit, ops, private from public;
grant usage on schema auth, app, audit, ops, private to tessera_runtime;
grant usage, create on schema private to tessera_definer;
grant usage on schema auth, app, audit, ops to tessera_definer;

-- Functions are executable by PUBLIC by default; nothing here should be.
alter default privileges revoke execute on functions from public;
alter default privileges in schema private revoke execute on functions from public;

-- The request context. The API sets these with set_config(name, value, true) inside the
-- transaction of each request (never session-level, so pooled connections never leak it).
-- Missing context yields NULL, and every policy compares with it, so no context means no rows.
create function app.current_user_id() returns uuid
  language sql stable parallel safe
  set search_path = ''
  as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;

create function app.current_org_id() returns uuid
  language sql stable parallel safe
  set search_path = ''
  as $$ select nullif(current_setting('app.org_id', true), '')::uuid $$;

grant execute on function app.current_user_id(), app.current_org_id() to tessera_runtime, tessera_definer;

create function app.set_updated_at() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  new.updated_at := now();
  return new;
end
$$;
grant execute on function app.set_updated_at() to tessera_runtime, tessera_definer;
