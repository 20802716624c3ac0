-- Error grouping for seed 002's error_logs (issue 6): one row per group of errors with the same
-- fingerprint (error code + normalized message + top stack frames, computed by the app, see
-- src/platform/error-fingerprint.ts), whose occurrence_count, first_occurrence and
-- last_occurrence grow instead of new rows.
--
-- The unique key. error_logs is partitioned by "timestamp", and PostgreSQL wants the partition
-- key in every unique index of a partitioned table, so "one row per fingerprint" cannot be a
-- unique index on error_logs itself. It lives in telemetry.error_fingerprints instead: one row
-- per (organization_id, fingerprint), NULLS NOT DISTINCT so the instance's own errors
-- (organization_id null) group too, pointing at the group's row. Only the writer below touches
-- it; the runtime role has no privilege on it.
--
-- The writer. Errors are recorded off the request path (a buffer in each process flushes every
-- second) through private.record_errors: the flush has no request context, and instance rows
-- need an instance administrator under the policies of 0180, so the writer is SECURITY DEFINER.

alter table telemetry.error_logs add column fingerprint varchar(64);
-- How often a resolved group came back; each reopening also appends the resolution it undid
-- to context.resolutionHistory.
alter table telemetry.error_logs add column reopened_count integer not null default 0;

create table telemetry.error_fingerprints (
  organization_id uuid references app.organizations (id) on delete cascade,
  fingerprint varchar(64) not null,
  -- The group's row. No foreign key: error_logs is partitioned, and a key referencing it would
  -- tie partition DDL (retention detaches and drops months) to this table. A row whose group was
  -- deleted (retention removes resolved errors after 365 days) is pointed at a new group by the
  -- next occurrence.
  error_id bigint not null,
  error_timestamp timestamptz not null
);
create unique index error_fingerprints_key on telemetry.error_fingerprints (organization_id, fingerprint) nulls not distinct;
alter table telemetry.error_fingerprints enable row level security;
alter table telemetry.error_fingerprints force row level security;
-- No policy and no grant to the runtime role: nobody but the writer reads or writes it.
grant select, insert, update on telemetry.error_fingerprints to tessera_definer;
grant insert, update on telemetry.error_logs to tessera_definer;

-- Instance administrators operate the instance: a server error or failed job is theirs to see
-- and resolve whichever organization it happened in (they read the whole audit log too).
-- Organizations keep reading and resolving their own (0180's policies, unchanged).
create policy instance_admin_read on telemetry.error_logs for select
  using ((select private.is_instance_admin()));
create policy instance_admin_resolution on telemetry.error_logs for update
  using ((select private.is_instance_admin()))
  with check ((select private.is_instance_admin()));

-- Records a batch of error groups. p_errors is a JSON array of objects with the keys of the
-- record type below; occurrences is how many times the process saw the group since its last
-- flush. An organization is kept only when the acting user (user_id) is an active member of it
-- (the HTTP recorder takes it from the URL), or when no user acted (a job of that organization);
-- otherwise the error is the instance's. Groups are locked in key order (advisory locks on the
-- key, then the unique index as the backstop), so concurrent flushes of several processes
-- neither deadlock nor create a second row for one fingerprint.
create function private.record_errors(p_errors jsonb) returns integer
  language plpgsql volatile security definer set search_path = ''
  as $$
declare
  e record;
  v_id bigint;
  v_ts timestamptz;
  v_found boolean;
  v_n integer := 0;
begin
  for e in
    with input as (
      select x.* from jsonb_to_recordset(p_errors) as x(
        organization_id uuid, user_id uuid, fingerprint text, level text, message text, stack_trace text, error_code text,
        context jsonb, session_id text, request_id text, execution_id text, category text, severity integer,
        impact_level text, environment text, service_version text, occurrences integer,
        first_occurrence timestamptz, last_occurrence timestamptz)
    )
    select i.*,
           case when i.organization_id is not null
                     and exists (select 1 from app.organizations o where o.id = i.organization_id and o.deleted_at is null)
                     and (i.user_id is null or exists (
                       select 1 from app.organization_members m
                        where m.organization_id = i.organization_id and m.user_id = i.user_id and m.status = 'active'))
                then i.organization_id end as org,
           (select u.id from auth.users u where u.id = i.user_id) as known_user
      from input i
     where i.fingerprint is not null and i.message is not null
     order by org nulls first, i.fingerprint
  loop
    perform pg_advisory_xact_lock(hashtextextended('tessera:error:' || coalesce(e.org::text, 'instance') || ':' || e.fingerprint, 0));
    v_id := null;
    select f.error_id, f.error_timestamp into v_id, v_ts
      from telemetry.error_fingerprints f
     where f.organization_id is not distinct from e.org and f.fingerprint = e.fingerprint;
    v_found := false;
    if v_id is not null then
      -- A resolved group reopens when it happens again after its resolution; occurrences the
      -- buffer held from before the resolution only count.
      update telemetry.error_logs l
         set occurrence_count = coalesce(l.occurrence_count, 0) + e.occurrences,
             first_occurrence = least(l.first_occurrence, e.first_occurrence),
             last_occurrence = greatest(l.last_occurrence, e.last_occurrence),
             level = e.level,
             message = e.message,
             stack_trace = coalesce(e.stack_trace, l.stack_trace),
             error_code = e.error_code,
             category = e.category,
             severity = greatest(l.severity, e.severity),
             impact_level = e.impact_level,
             environment = e.environment,
             service_version = e.service_version,
             user_id = e.known_user,
             session_id = e.session_id,
             request_id = e.request_id,
             execution_id = e.execution_id,
             context = coalesce(e.context, '{}'::jsonb) || jsonb_build_object('resolutionHistory',
               case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity')
                    then coalesce(l.context -> 'resolutionHistory', '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
                           'resolvedAt', l.resolved_at, 'resolvedBy', l.resolved_by, 'notes', l.resolution_notes, 'reopenedAt', e.last_occurrence))
                    else coalesce(l.context -> 'resolutionHistory', '[]'::jsonb) end),
             reopened_count = l.reopened_count + case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity') then 1 else 0 end,
             resolved = case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity') then false else l.resolved end,
             resolution_notes = case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity') then null else l.resolution_notes end,
             resolved_by = case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity') then null else l.resolved_by end,
             resolved_at = case when l.resolved and e.last_occurrence > coalesce(l.resolved_at, '-infinity') then null else l.resolved_at end
       where l.id = v_id and l."timestamp" = v_ts;
      v_found := found;
    end if;
    if not v_found then
      -- "timestamp" is the partition key: now() always has a partition (created months ahead).
      insert into telemetry.error_logs (
        organization_id, fingerprint, level, message, stack_trace, error_code, context, user_id, session_id, request_id,
        execution_id, category, severity, impact_level, environment, service_version, occurrence_count, first_occurrence,
        last_occurrence, "timestamp", resolved)
      values (
        e.org, e.fingerprint, e.level, e.message, e.stack_trace, e.error_code, coalesce(e.context, '{}'::jsonb) || '{"resolutionHistory": []}'::jsonb,
        e.known_user, e.session_id, e.request_id, e.execution_id, e.category, e.severity, e.impact_level, e.environment,
        e.service_version, e.occurrences, e.first_occurrence, e.last_occurrence, now(), false)
      returning id, "timestamp" into v_id, v_ts;
      insert into telemetry.error_fingerprints (organization_id, fingerprint, error_id, error_timestamp)
      values (e.org, e.fingerprint, v_id, v_ts)
      on conflict (organization_id, fingerprint) do update
        set error_id = excluded.error_id, error_timestamp = excluded.error_timestamp;
    end if;
    v_n := v_n + 1;
  end loop;
  return v_n;
end
$$;

select ops.secure_private_functions();
