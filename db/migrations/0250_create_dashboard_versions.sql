-- Dashboard versions (issue 5, "Versions"): every save of a dashboard keeps a snapshot of its
-- settings and widgets, numbered 1, 2, 3 ... per dashboard, with who saved it and a summary.
-- The snapshot is self-contained JSON (the dashboard settings and every widget with its id),
-- so a version can be shown, compared and restored after its widgets are gone. Versions go
-- with their dashboard (cascade); an author who is deleted leaves the version anonymous.
-- No audit trigger: a version is itself the record of a change, and widgets and dashboards
-- are audited already.

create table app.dashboard_versions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  dashboard_id uuid not null,
  version integer not null check (version >= 1),
  -- {settings: {name, description, tags, theme, filters, refreshInterval, layout},
  --  widgets: [{id, type, title, description, position, config, dataQuery, cacheDuration}]}
  snapshot jsonb not null check (jsonb_typeof(snapshot -> 'settings') = 'object' and jsonb_typeof(snapshot -> 'widgets') = 'array'),
  summary text not null check (length(summary) between 1 and 2000),
  author_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (dashboard_id, version),
  foreign key (organization_id, dashboard_id) references app.dashboards (organization_id, id) on delete cascade
);
-- The version list of one dashboard, newest first (and the organization filter of the policies).
create index idx_dashboard_versions_list on app.dashboard_versions (organization_id, dashboard_id, version desc);
create index idx_dashboard_versions_author on app.dashboard_versions (author_id);

call ops.apply_tenant_policies('app.dashboard_versions');
