-- Audit (seeds 003 and 004): one append-only, monthly partitioned log fed by triggers and by
-- security events. The runtime role has no INSERT/UPDATE/DELETE on it: rows arrive only
-- through the SECURITY DEFINER trigger and event functions below.

-- Partition catalogue shared by every time-partitioned table (audit and log tables by month,
-- time series by day). Partitions are created ahead by the worker, never on the insert path.
create table ops.partitions (
  parent_table text not null,
  partition_table text not null primary key,
  range_start timestamptz not null,
  range_end timestamptz not null,
  granularity varchar(10) not null check (granularity in ('day', 'month')),
  state varchar(20) not null default 'attached' check (state in ('attached', 'detached', 'dropped', 'compressed')),
  created_at timestamptz not null default now(),
  changed_at timestamptz not null default now(),
  unique (parent_table, range_start)
);
create index idx_partitions_parent on ops.partitions (parent_table, range_start);
grant select on ops.partitions to tessera_runtime;

-- Creates the partitions of p_parent covering [now() - p_behind, now() + p_ahead) and records
-- them in ops.partitions. Runs as the owner role (DDL). New partitions inherit the parent's
-- Row-Level Security explicitly, since RLS settings are per relation.
create function ops.ensure_partitions(p_parent text, p_granularity text, p_ahead integer, p_behind integer default 1)
  returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  v_step interval := case p_granularity when 'day' then interval '1 day' when 'month' then interval '1 month' end;
  v_start timestamptz;
  v_end timestamptz;
  v_name text;
  v_schema text := split_part(p_parent, '.', 1);
  v_table text := split_part(p_parent, '.', 2);
  v_created integer := 0;
begin
  if v_step is null then
    raise exception 'granularity must be day or month, not %', p_granularity;
  end if;
  for i in -p_behind .. p_ahead loop
    v_start := date_trunc(p_granularity, now() at time zone 'UTC') at time zone 'UTC' + v_step * i;
    v_end := v_start + v_step;
    v_name := v_table || '_' || to_char(v_start at time zone 'UTC', case p_granularity when 'day' then 'YYYY_MM_DD' else 'YYYY_MM' end);
    if to_regclass(format('%I.%I', v_schema, v_name)) is null then
      execute format('create table %I.%I partition of %I.%I for values from (%L) to (%L)', v_schema, v_name, v_schema, v_table, v_start, v_end);
      execute format('alter table %I.%I enable row level security', v_schema, v_name);
      execute format('alter table %I.%I force row level security', v_schema, v_name);
      insert into ops.partitions (parent_table, partition_table, range_start, range_end, granularity)
      values (p_parent, v_schema || '.' || v_name, v_start, v_end, p_granularity)
      on conflict (partition_table) do update set state = 'attached', changed_at = now();
      v_created := v_created + 1;
    end if;
  end loop;
  return v_created;
end
$$;

create table audit.audit_log (
  id bigint generated always as identity,
  created_at timestamptz not null default now(),
  -- seed 003
  table_name varchar(100) not null,
  record_id text,
  action varchar(20) not null check (action in ('INSERT', 'UPDATE', 'DELETE', 'EVENT')),
  user_id uuid,
  organization_id uuid,
  ip_address inet,
  old_values jsonb,
  new_values jsonb,
  changed_fields text[],
  -- seed 004 (audit_logs)
  event_type varchar(100) not null,
  event_category varchar(50) not null,
  event_action varchar(100) not null,
  user_email varchar(255),
  session_id varchar(255),
  user_agent text,
  resource_type varchar(100),
  resource_id varchar(100),
  resource_name varchar(200),
  event_details jsonb,
  request_id varchar(100),
  request_method varchar(10),
  request_url text,
  request_headers jsonb,
  request_body text,
  response_status integer,
  severity varchar(20) not null default 'low' check (severity in ('info', 'low', 'medium', 'high', 'critical')),
  risk_level varchar(20) not null default 'low' check (risk_level in ('low', 'medium', 'high', 'critical')),
  compliance_tags text[],
  retention_period_days integer not null default 2555,
  primary key (id, created_at)
) partition by range (created_at);

create index idx_audit_created on audit.audit_log (created_at desc);
create index idx_audit_table_record on audit.audit_log (table_name, record_id);
create index idx_audit_user_timestamp on audit.audit_log (user_id, created_at desc);
create index idx_audit_org_timestamp on audit.audit_log (organization_id, created_at desc);
create index idx_audit_event_category on audit.audit_log (event_category, event_type, created_at desc);
create index idx_audit_resource on audit.audit_log (resource_type, resource_id);
create index idx_audit_severity on audit.audit_log (severity, created_at desc) where severity in ('high', 'critical');
create index idx_audit_ip_address on audit.audit_log (ip_address, created_at desc);
create index idx_audit_session on audit.audit_log (session_id, created_at desc) where session_id is not null;
create index idx_audit_compliance on audit.audit_log using gin (compliance_tags);
create index idx_audit_new_values on audit.audit_log using gin (new_values);
create index idx_audit_old_values on audit.audit_log using gin (old_values);

alter table audit.audit_log enable row level security;
alter table audit.audit_log force row level security;
-- Instance administrators read everything; organization owners and admins read their organization's rows.
create policy audit_log_select on audit.audit_log for select
  using ((select private.is_instance_admin())
         or (organization_id = (select app.current_org_id()) and (select private.current_org_role()) in ('owner', 'admin')));
grant select on audit.audit_log to tessera_runtime;
grant insert on audit.audit_log to tessera_definer;

select ops.ensure_partitions('audit.audit_log', 'month', 3, 1);

-- Columns never copied into the log.
create function private.audit_redact(p_row jsonb) returns jsonb
  language sql immutable set search_path = ''
  as $$
    select p_row - array['password_hash', 'token_hash', 'refresh_token_hash', 'key_hash', 'two_factor_secret', 'backup_codes']
$$;

create function private.audit_row_change() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_row jsonb := coalesce(v_new, v_old);
  v_changed text[];
  v_org uuid;
  v_table text := tg_table_schema || '.' || tg_table_name;
begin
  if tg_op = 'UPDATE' then
    select array_agg(key order by key) into v_changed
      from jsonb_each(v_new) n
     where n.value is distinct from v_old -> n.key and key not in ('updated_at');
    if v_changed is null then
      return null; -- nothing but updated_at changed
    end if;
  end if;
  v_org := case when v_table = 'app.organizations' then (v_row ->> 'id')::uuid
                else nullif(v_row ->> 'organization_id', '')::uuid end;
  insert into audit.audit_log (
    table_name, record_id, action, user_id, organization_id, ip_address, old_values, new_values, changed_fields,
    event_type, event_category, event_action, resource_type, resource_id, resource_name,
    session_id, user_agent, request_id, severity)
  values (
    v_table, v_row ->> 'id', tg_op, app.current_user_id(), v_org,
    nullif(current_setting('app.ip', true), '')::inet,
    private.audit_redact(v_old), private.audit_redact(v_new), v_changed,
    lower(tg_op), case when tg_table_schema = 'auth' then 'auth' else 'data' end, lower(tg_op) || '_' || tg_table_name,
    v_table, v_row ->> 'id', coalesce(v_row ->> 'name', v_row ->> 'email', v_row ->> 'setting_key'),
    nullif(current_setting('app.session_id', true), ''), nullif(current_setting('app.user_agent', true), ''),
    nullif(current_setting('app.request_id', true), ''),
    case when v_table in ('auth.user_roles', 'auth.api_keys') or (v_table = 'app.organization_members' and tg_op <> 'INSERT') then 'medium' else 'low' end);
  return null;
end
$$;

create trigger audit_changes after insert or update or delete on auth.users for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on auth.roles for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on auth.user_roles for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on auth.api_keys for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.organizations for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.organization_members for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.teams for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.team_members for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.invitations for each row execute function private.audit_row_change();
create trigger audit_changes after insert or update or delete on app.system_settings for each row execute function private.audit_row_change();

-- Security events (login success/failure, lockout, 2FA changes, key creation).
create function private.log_security_event(
  p_event_type text, p_event_action text, p_severity text, p_user_id uuid, p_user_email text,
  p_organization_id uuid, p_details jsonb, p_request_method text, p_request_url text, p_response_status integer)
  returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  insert into audit.audit_log (
    table_name, record_id, action, user_id, organization_id, ip_address, event_type, event_category, event_action,
    user_email, session_id, user_agent, resource_type, resource_id, event_details, request_id, request_method,
    request_url, response_status, severity, risk_level)
  values (
    'auth.events', p_user_id::text, 'EVENT', p_user_id, p_organization_id,
    nullif(current_setting('app.ip', true), '')::inet, p_event_type, 'security', p_event_action,
    p_user_email, nullif(current_setting('app.session_id', true), ''), nullif(current_setting('app.user_agent', true), ''),
    'user', p_user_id::text, p_details, nullif(current_setting('app.request_id', true), ''), p_request_method,
    p_request_url, p_response_status, p_severity,
    case when p_severity in ('high', 'critical') then 'high' when p_severity = 'medium' then 'medium' else 'low' end);
end
$$;
