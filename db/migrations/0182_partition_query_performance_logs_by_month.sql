-- telemetry.query_performance_logs (0120) becomes a log table partitioned by month on
-- executed_at, like the other telemetry logs (0180): retention then drops whole months instead
-- of deleting rows, and partitions:maintain creates the months ahead. Same columns, defaults,
-- checks, foreign key, index, policy and grants (table and column grants are copied); the
-- primary key gains executed_at (PostgreSQL wants the partition key in it). The series
-- engine's insert (logQuery) is unchanged.
-- The rows are copied in this migration's transaction: the old table stays locked (ACCESS
-- EXCLUSIVE, from the rename) until commit, so no insert is lost between copy and swap.

alter table telemetry.query_performance_logs rename to query_performance_logs_unpartitioned;
-- Index names are schema-wide: move the old ones out of the way.
alter index telemetry.query_performance_logs_pkey rename to query_performance_logs_unpartitioned_pkey;
alter index telemetry.idx_query_performance_logs_org rename to idx_query_performance_logs_unpartitioned_org;

create table telemetry.query_performance_logs (
  id uuid not null default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  query_id uuid,
  query_kind varchar(40) not null check (query_kind in ('metric_series', 'pipeline_series')),
  metric_id uuid,
  pipeline_id uuid,
  execution_time_ms integer not null check (execution_time_ms >= 0),
  rows_returned integer,
  cache_hit boolean not null default false,
  source varchar(20),
  executed_at timestamptz not null default now(),
  primary key (id, executed_at)
) partition by range (executed_at);
create index idx_query_performance_logs_org on telemetry.query_performance_logs (organization_id, executed_at desc);

-- The owner is subject to FORCE RLS like everyone: lift it on the old table to read every
-- tenant's rows (nobody else can reach the table while this transaction holds its lock).
alter table telemetry.query_performance_logs_unpartitioned no force row level security;

-- A partition for every month that holds rows, then the worker's window (a month behind,
-- three ahead).
do $$
declare
  v_month date;
begin
  for v_month in
    select distinct date_trunc('month', l.executed_at at time zone 'UTC')::date
      from telemetry.query_performance_logs_unpartitioned l
  loop
    perform ops.create_partition('telemetry.query_performance_logs', 'query_performance_logs_' || to_char(v_month, 'YYYY_MM'),
                                 v_month, (v_month + interval '1 month')::date);
  end loop;
end
$$;
select ops.ensure_partitions('telemetry.query_performance_logs', 'month', 3, 1);

-- The new parent gets its Row-Level Security after the copy, which FORCE RLS would refuse to
-- the owner (rows are routed through the parent, whose policies are the ones checked).
insert into telemetry.query_performance_logs
  (id, organization_id, query_id, query_kind, metric_id, pipeline_id, execution_time_ms, rows_returned, cache_hit, source, executed_at)
select id, organization_id, query_id, query_kind, metric_id, pipeline_id, execution_time_ms, rows_returned, cache_hit, source, executed_at
  from telemetry.query_performance_logs_unpartitioned;

-- The old table's grants, whichever migration gave them (0120: the runtime role; 0170: columns
-- to tessera_definer for the Storage page's statistics), table-wide and per column.
do $$
declare
  g record;
begin
  for g in
    select a.privilege_type, a.grantee::regrole::text as grantee, null::text as column_name
      from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
     where c.oid = 'telemetry.query_performance_logs_unpartitioned'::regclass and a.grantee not in (0, c.relowner)
    union all
    select a.privilege_type, a.grantee::regrole::text, att.attname
      from pg_catalog.pg_attribute att, pg_catalog.aclexplode(att.attacl) a
     where att.attrelid = 'telemetry.query_performance_logs_unpartitioned'::regclass and not att.attisdropped and a.grantee <> 0
  loop
    execute format('grant %s %s on telemetry.query_performance_logs to %s',
                   g.privilege_type, coalesce('(' || quote_ident(g.column_name) || ')', ''), g.grantee);
  end loop;
end
$$;
drop table telemetry.query_performance_logs_unpartitioned;

-- 0120's policy: every active member reads and writes (a viewer's series read logs too).
alter table telemetry.query_performance_logs enable row level security;
alter table telemetry.query_performance_logs force row level security;
create policy tenant_member_all on telemetry.query_performance_logs
  using (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null)
  with check (organization_id = (select app.current_org_id()) and (select private.current_org_role()) is not null);

-- seed 003 maintain_partitions (0131), in step with PARTITIONED_TABLES again: the telemetry
-- logs of 0180 and this table join the list.
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
