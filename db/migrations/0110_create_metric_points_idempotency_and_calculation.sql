-- Metric points push API and scheduled calculations (issue 4).

-- Idempotency-Keys of the metric points API. ingest.idempotency_keys is keyed by pipeline
-- (with a foreign key to it), so metric pushes keep their own: scope is the metric id of
-- POST …/metrics/{metricId}/points, or 'batch' for the many-metrics endpoint. The answer is
-- stored with the batch, in its transaction: a rolled-back batch leaves no key behind.
create table ts.metric_idempotency_keys (
  organization_id uuid not null references app.organizations (id) on delete cascade,
  scope varchar(64) not null,
  idempotency_key varchar(255) not null,
  request_hash varchar(64) not null,
  response_status integer not null,
  response_body jsonb not null,
  created_at timestamptz not null default now(),
  primary key (organization_id, scope, idempotency_key)
);
create index idx_metric_idempotency_keys_created on ts.metric_idempotency_keys (created_at);
call ops.apply_tenant_policies('ts.metric_idempotency_keys');

-- When a 'data_source' metric was last calculated, and why the last attempt failed (shown in
-- the UI); metrics:calculate picks the metrics whose refresh_frequency has elapsed.
alter table app.metrics add column last_calculated_at timestamptz;
alter table app.metrics add column last_calculation_error text;

-- metrics:calculate enumerates the due metrics across organizations here, with the member to
-- act as (its creator while still a writer, else the first owner); each calculation then runs
-- in a tenant transaction as that member, so the policies apply as for a push.
grant select (id, organization_id, source, is_active, data_source_id, refresh_frequency, last_calculated_at, created_by) on app.metrics to tessera_definer;
create function private.metrics_due_for_calculation(p_now timestamptz, p_limit integer)
  returns table (metric_id uuid, organization_id uuid, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select m.id, m.organization_id, private.workflow_actor(m.organization_id, array[m.created_by])
      from app.metrics m
      join app.organizations o on o.id = m.organization_id and o.deleted_at is null
     where m.source = 'data_source' and m.is_active and m.data_source_id is not null
       and (m.last_calculated_at is null or m.last_calculated_at + make_interval(secs => m.refresh_frequency) <= p_now)
     order by m.last_calculated_at nulls first, m.id
     limit p_limit
$$;

select ops.secure_private_functions();
