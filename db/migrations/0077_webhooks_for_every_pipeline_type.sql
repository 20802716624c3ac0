-- Webhooks for every pipeline type (issue 3: "runs can be triggered ... by webhook"). A
-- realtime or p2p pipeline's webhook receives records, as before; a polling pipeline's webhook
-- starts a run (triggered_by = 'webhook'). 0051's lookup only found realtime pipelines, so it
-- is replaced by one that also returns the pipeline's type for the route to choose.
drop function private.pipeline_for_webhook(uuid);
create function private.pipeline_for_webhook(p_pipeline_id uuid)
  returns table (organization_id uuid, type text, status text, webhook_secret_hash text, source_config_encrypted text, acting_user_id uuid)
  language sql stable security definer set search_path = ''
  as $$
    select p.organization_id, p.type::text, p.status::text, p.webhook_secret_hash::text, p.source_config_encrypted,
           coalesce(
             (select m.user_id from app.organization_members m
               where m.organization_id = p.organization_id and m.user_id = p.created_by and m.status = 'active'
                 and m.role in ('owner', 'admin', 'member')),
             (select m.user_id from app.organization_members m
               where m.organization_id = p.organization_id and m.status = 'active' and m.role = 'owner'
               order by m.created_at, m.user_id limit 1))
      from ingest.pipelines p
      join app.organizations o on o.id = p.organization_id and o.deleted_at is null
     where p.id = p_pipeline_id and p.webhook_secret_hash is not null
$$;

select ops.secure_private_functions();
