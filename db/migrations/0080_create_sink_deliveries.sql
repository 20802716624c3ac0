-- Sink delivery (issue 3): a transactional outbox. Whoever accepts a batch (the ingest API,
-- webhooks, a pipeline run, a pipeline sink's own delivery) inserts one row per active sink of
-- the pipeline in the same transaction that stores the rows (a p2p pipeline: instead of
-- storing them), and queues a sinks:deliver job there too. An acknowledged batch is thus
-- never lost: if the process dies after answering, a worker finds the rows and delivers them.

-- Delivery state shown with each sink. It moves with every delivery, which is bookkeeping,
-- not a change someone made: it neither bumps updated_at nor writes an audit row.
alter table ingest.pipeline_sinks
  add column last_delivered_at timestamptz,
  add column last_error text,
  add column last_error_at timestamptz,
  add column records_delivered bigint not null default 0,
  add column records_failed bigint not null default 0,
  -- The composite key sink_deliveries refers to, as every tenant child table does.
  add constraint pipeline_sinks_organization_id_id_key unique (organization_id, id);

drop trigger set_updated_at on ingest.pipeline_sinks;
create trigger set_updated_at before update on ingest.pipeline_sinks for each row
  when ((to_jsonb(old) - array['last_delivered_at', 'last_error', 'last_error_at', 'records_delivered', 'records_failed', 'updated_at'])
        is distinct from (to_jsonb(new) - array['last_delivered_at', 'last_error', 'last_error_at', 'records_delivered', 'records_failed', 'updated_at']))
  execute function app.set_updated_at();
drop trigger audit_changes on ingest.pipeline_sinks;
create trigger audit_changes after insert or delete on ingest.pipeline_sinks for each row execute function private.audit_row_change();
create trigger audit_changes_update after update on ingest.pipeline_sinks for each row
  when ((to_jsonb(old) - array['last_delivered_at', 'last_error', 'last_error_at', 'records_delivered', 'records_failed', 'updated_at'])
        is distinct from (to_jsonb(new) - array['last_delivered_at', 'last_error', 'last_error_at', 'records_delivered', 'records_failed', 'updated_at']))
  execute function private.audit_row_change();

-- One batch for one sink. status: pending → delivering (claimed; next_attempt_at is then the
-- end of the claim's lease, after which a crashed worker's claim is taken over) → delivered,
-- or back to pending with a backoff, or failed (permanent answer, or retries used up; a
-- person may retry it). Not audited, like pipeline_data and data_ingestion_jobs: it is data
-- in transit, and payloads can be megabytes.
create table ingest.sink_deliveries (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references app.organizations (id) on delete cascade,
  pipeline_id uuid not null,
  sink_id uuid not null,
  execution_id uuid,
  -- The data_ingestion_jobs row of the batch (a push, or a pipeline sink's store), for tracing.
  ingestion_job_id uuid,
  -- How many pipeline sinks the batch went through before this pipeline: chains stop at 5.
  hop smallint not null default 0 check (hop between 0 and 5),
  -- The batch's mapped records as a JSON array; null once delivered for a pipeline that keeps
  -- no data (p2p), so nothing of it stays behind.
  payload jsonb check (payload is null or jsonb_typeof(payload) = 'array'),
  record_count integer not null check (record_count > 0),
  status varchar(20) not null default 'pending' check (status in ('pending', 'delivering', 'delivered', 'failed')),
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_error text,
  last_status_code integer,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (organization_id, pipeline_id) references ingest.pipelines (organization_id, id) on delete cascade,
  foreign key (organization_id, sink_id) references ingest.pipeline_sinks (organization_id, id) on delete cascade,
  foreign key (organization_id, execution_id) references ingest.workflow_executions (organization_id, id) on delete set null (execution_id),
  check (status <> 'delivered' or delivered_at is not null)
);
create index idx_sink_deliveries_sink on ingest.sink_deliveries (organization_id, sink_id, created_at desc);
-- What is due (the sweeper and the claim) and each sink's pending count.
create index idx_sink_deliveries_due on ingest.sink_deliveries (organization_id, pipeline_id, next_attempt_at) where status in ('pending', 'delivering');
create index idx_sink_deliveries_due_all on ingest.sink_deliveries (next_attempt_at) where status in ('pending', 'delivering');
create index idx_sink_deliveries_pipeline on ingest.sink_deliveries (pipeline_id);
create index idx_sink_deliveries_execution on ingest.sink_deliveries (execution_id) where execution_id is not null;
create index idx_sink_deliveries_delivered on ingest.sink_deliveries (delivered_at) where status = 'delivered';
create index idx_sink_deliveries_failed on ingest.sink_deliveries (last_attempt_at) where status = 'failed';

call ops.apply_tenant_policies('ingest.sink_deliveries');

-- sinks:deliver without an organization (the every-minute sweeper) must find due deliveries
-- in every organization: the one cross-tenant step. It returns ids only, and the user each
-- pipeline's deliveries are then claimed and recorded as, in a tenant transaction under the
-- normal policies: the pipeline's creator while they may write, else an owner.
grant select (id, organization_id, pipeline_id, sink_id, status, next_attempt_at, delivered_at, last_attempt_at) on ingest.sink_deliveries to tessera_definer;
grant delete on ingest.sink_deliveries to tessera_definer;
grant select (id, is_active) on ingest.pipeline_sinks to tessera_definer;
create function private.due_sink_deliveries(p_organization_id uuid)
  returns table (organization_id uuid, pipeline_id uuid, acting_user_id uuid)
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query
    select d.organization_id, d.pipeline_id, private.workflow_actor(d.organization_id, array[p.created_by])
      from (select distinct s.organization_id, s.pipeline_id
              from ingest.sink_deliveries s
             where s.status in ('pending', 'delivering') and s.next_attempt_at <= now()
               and (p_organization_id is null or s.organization_id = p_organization_id)
               and exists (select 1 from ingest.pipeline_sinks k where k.id = s.sink_id and k.is_active)) d
      join ingest.pipelines p on p.id = d.pipeline_id
      join app.organizations o on o.id = d.organization_id and o.deleted_at is null
     limit 1000;
end
$$;

-- sinks:cleanup: delivered rows after p_delivered_days, failed ones (never retried) after
-- p_failed_days, at most p_limit per call. Deleting across tenants is all it can do.
create function private.purge_sink_deliveries(p_delivered_days integer, p_failed_days integer, p_limit integer)
  returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  v_deleted integer;
begin
  delete from ingest.sink_deliveries d
   where d.id in (
     select s.id from ingest.sink_deliveries s
      where (s.status = 'delivered' and s.delivered_at < now() - make_interval(days => p_delivered_days))
         or (s.status = 'failed' and s.last_attempt_at < now() - make_interval(days => p_failed_days))
      limit p_limit);
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;

select ops.secure_private_functions();
