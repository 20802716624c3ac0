-- Dashboards (issue 5; seeds 000 and 001): dashboards with slug, layout, theme, filters,
-- refresh interval, public link, tags and view counters; per-dashboard permissions (view /
-- edit / admin for a user or a team); widgets (the table only: the widget API is a later
-- slice); stars; and telemetry.dashboard_usage_logs partitioned by month.
-- Row-Level Security keeps organizations apart with the standard tenant policies (owners,
-- admins and members write, viewers read); who may see or change one dashboard inside the
-- organization (docs/permissions.md) is decided by the dashboards service, which reads
-- dashboard_permissions. pg_trgm is created at database bootstrap (src/platform/database-roles.ts).

-- seed 000 dashboards + seed 001 (slug, team_id, refresh interval, public token).
create table app.dashboards (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  team_id uuid,
  created_by uuid references auth.users (id) on delete set null,
  name varchar(255) not null check (length(btrim(name)) between 1 and 255),
  slug varchar(255) not null check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,253}[a-z0-9])?$'),
  description text,
  -- 12-column grid (react-grid-layout); widget positions live on the widgets.
  layout jsonb not null default '{"widgets": [], "grid": {"cols": 12, "rows": 10}}',
  theme jsonb not null default '{"primary": "#1976d2", "secondary": "#dc004e"}',
  filters jsonb not null default '{}',
  refresh_interval integer not null default 300 check (refresh_interval between 0 and 86400),
  is_public boolean not null default false,
  -- The public token is shown once; only its SHA-256 (hex) and a display prefix are kept.
  public_token_hash varchar(64) unique,
  public_token_prefix varchar(16),
  tags text[] not null default '{}',
  view_count integer not null default 0,
  last_viewed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Soft delete: restorable for 30 days (the service enforces the window).
  deleted_at timestamptz,
  unique (organization_id, slug),
  unique (organization_id, id),
  foreign key (organization_id, team_id) references app.teams (organization_id, id) on delete set null (team_id),
  check (not is_public or public_token_hash is not null)
);
create index idx_dashboards_org_active on app.dashboards (organization_id, updated_at desc) where deleted_at is null;
create index idx_dashboards_org_deleted on app.dashboards (organization_id, deleted_at) where deleted_at is not null;
create index idx_dashboards_name_trgm on app.dashboards using gin (name public.gin_trgm_ops);
create index idx_dashboards_tags on app.dashboards using gin (tags);
create index idx_dashboards_created_by on app.dashboards (organization_id, created_by);
-- Counting a view (view_count, last_viewed_at) is not an edit: neither updated_at nor the audit
-- log moves for it.
create trigger set_updated_at before update of name, slug, description, layout, theme, filters, refresh_interval, is_public,
  public_token_hash, tags, team_id, deleted_at on app.dashboards for each row execute function app.set_updated_at();
create trigger audit_changes after insert or delete or update of name, slug, description, layout, theme, filters, refresh_interval, is_public,
  public_token_hash, tags, team_id, deleted_at, created_by on app.dashboards for each row execute function private.audit_row_change();

-- seed 000 dashboard_permissions: exactly one of user and team.
create table app.dashboard_permissions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  dashboard_id uuid not null,
  user_id uuid,
  team_id uuid,
  permission_type varchar(20) not null check (permission_type in ('view', 'edit', 'admin')),
  granted_at timestamptz not null default now(),
  granted_by uuid references auth.users (id) on delete set null,
  foreign key (organization_id, dashboard_id) references app.dashboards (organization_id, id) on delete cascade,
  foreign key (organization_id, user_id) references app.organization_members (organization_id, user_id) on delete cascade,
  foreign key (organization_id, team_id) references app.teams (organization_id, id) on delete cascade,
  constraint dashboard_permissions_check check ((user_id is not null and team_id is null) or (user_id is null and team_id is not null)),
  unique (dashboard_id, user_id),
  unique (dashboard_id, team_id)
);
create index idx_dashboard_permissions_lookup on app.dashboard_permissions (dashboard_id, user_id, team_id);
create index idx_dashboard_permissions_org on app.dashboard_permissions (organization_id);
create trigger audit_changes after insert or update or delete on app.dashboard_permissions for each row execute function private.audit_row_change();

-- seed 000 widgets + seed 001 (type names, data_query).
create table app.widgets (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  dashboard_id uuid not null,
  widget_type varchar(50) not null check (widget_type in ('line_chart', 'area_chart', 'bar_chart', 'pie_chart', 'table', 'stat_card', 'text', 'image')),
  title varchar(255) not null check (length(btrim(title)) between 1 and 255),
  description text,
  -- {x, y, w, h} on the 12-column grid.
  position jsonb not null check (
    jsonb_typeof(position -> 'x') = 'number' and jsonb_typeof(position -> 'y') = 'number'
    and jsonb_typeof(position -> 'w') = 'number' and jsonb_typeof(position -> 'h') = 'number'),
  config jsonb not null default '{}',
  data_source_id uuid,
  -- seed 000 query_config; seed 001 data_query (source, fields, filters, group-by, bucket,
  -- aggregation), compiled to parameterized SQL, never typed SQL.
  query_config jsonb not null default '{}',
  data_query jsonb not null default '{}',
  cache_duration integer not null default 300 check (cache_duration between 0 and 86400),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organization_id, id),
  foreign key (organization_id, dashboard_id) references app.dashboards (organization_id, id) on delete cascade,
  foreign key (organization_id, data_source_id) references app.data_sources (organization_id, id) on delete set null (data_source_id)
);
create index idx_widgets_dashboard on app.widgets (dashboard_id);
create index idx_widgets_org on app.widgets (organization_id);
create index idx_widgets_config on app.widgets using gin (config);
create trigger set_updated_at before update on app.widgets for each row execute function app.set_updated_at();
create trigger audit_changes after insert or update or delete on app.widgets for each row execute function private.audit_row_change();

-- A user's starred dashboards.
create table app.dashboard_stars (
  organization_id uuid not null references app.organizations (id) on delete cascade,
  user_id uuid not null,
  dashboard_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (user_id, dashboard_id),
  foreign key (organization_id, dashboard_id) references app.dashboards (organization_id, id) on delete cascade,
  foreign key (organization_id, user_id) references app.organization_members (organization_id, user_id) on delete cascade
);
create index idx_dashboard_stars_dashboard on app.dashboard_stars (organization_id, dashboard_id);

call ops.apply_tenant_policies('app.dashboards');
call ops.apply_tenant_policies('app.dashboard_permissions');
call ops.apply_tenant_policies('app.widgets');

-- Stars: every active member (viewers too) stars and unstars for themselves; the organization's
-- members see who starred what (star counts). No update.
alter table app.dashboard_stars enable row level security;
alter table app.dashboard_stars force row level security;
create policy tenant_member_read on app.dashboard_stars for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
create policy own_star_insert on app.dashboard_stars for insert
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null and user_id = (select app.current_user_id()));
create policy own_star_delete on app.dashboard_stars for delete
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null and user_id = (select app.current_user_id()));
grant select, insert, delete on app.dashboard_stars to tessera_runtime;

-- seed 000 dashboard_usage_logs, partitioned by month like the other telemetry logs (0180,
-- 0182); append-only for the runtime role (viewers' views are logged too), retention drops months.
create table telemetry.dashboard_usage_logs (
  id uuid not null default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  dashboard_id uuid not null,
  user_id uuid,
  action varchar(50) not null check (action in ('view', 'edit', 'share', 'export')),
  session_id varchar(255),
  ip_address inet,
  user_agent text,
  duration_seconds integer check (duration_seconds is null or duration_seconds >= 0),
  created_at timestamptz not null default now(),
  primary key (id, created_at)
) partition by range (created_at);
create index idx_dashboard_usage_logs_dashboard on telemetry.dashboard_usage_logs (organization_id, dashboard_id, created_at desc);
select ops.ensure_partitions('telemetry.dashboard_usage_logs', 'month', 3, 1);
alter table telemetry.dashboard_usage_logs enable row level security;
alter table telemetry.dashboard_usage_logs force row level security;
create policy tenant_member_read on telemetry.dashboard_usage_logs for select
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
create policy tenant_member_append on telemetry.dashboard_usage_logs for insert
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);
grant select, insert on telemetry.dashboard_usage_logs to tessera_runtime;

-- Counting a view: any active member of the dashboard's organization, viewers included (whose
-- role may not update dashboards). Only the two counters move; a deleted dashboard is not counted.
grant select, update (view_count, last_viewed_at) on app.dashboards to tessera_definer;
create function private.record_dashboard_view(p_dashboard_id uuid)
  returns integer
  language plpgsql security definer set search_path = ''
  as $$
declare
  v_count integer;
begin
  if private.current_org_role() is null then
    return null;
  end if;
  update app.dashboards d
     set view_count = d.view_count + 1, last_viewed_at = now()
   where d.id = p_dashboard_id and d.organization_id = app.current_org_id() and d.deleted_at is null
  returning d.view_count into v_count;
  return v_count;
end
$$;

-- seed 003 maintain_partitions (0182), in step with PARTITIONED_TABLES: the dashboard usage log joins.
create or replace function ops.maintain_partitions()
  returns void
  language plpgsql
  set search_path = ''
  as $$
declare
  policy record;
begin
  perform ops.ensure_partitions('audit.audit_log', 'month', 3, 1);
  perform ops.ensure_partitions('ingest.pipeline_data', 'day', 7, 1);
  perform ops.ensure_partitions('ts.time_series_data', 'day', 7, 30);
  perform ops.ensure_partitions('telemetry.tool_usage_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.error_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.performance_metrics', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.query_performance_logs', 'month', 3, 1);
  perform ops.ensure_partitions('telemetry.dashboard_usage_logs', 'month', 3, 1);
  perform ops.build_deferred_indexes();
  for policy in
    select p.relation, p.retention_days from ops.data_retention_policies p
     where p.cleanup_enabled and not coalesce(p.archive_before_delete, true)
       and p.relation in (select distinct c.parent_table from ops.partitions c)
  loop
    perform ops.drop_expired_partitions(policy.relation, now() - make_interval(days => policy.retention_days));
  end loop;
  raise notice 'Partition maintenance completed at %', now();
end
$$;

select ops.secure_private_functions();
