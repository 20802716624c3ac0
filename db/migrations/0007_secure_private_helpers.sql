-- Operator (CLI) access to settings: the owner role is subject to FORCE ROW LEVEL SECURITY
-- like everyone else, so the CLI reads and writes settings through these two functions.
create function private.operator_settings() returns setof app.system_settings
  language plpgsql stable security definer set search_path = ''
  as $$
begin
  return query select * from app.system_settings order by setting_category, setting_key;
end
$$;

create function private.operator_update_setting(p_key text, p_value text, p_reason text) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
begin
  update app.system_settings
     set setting_value = p_value, last_modified_reason = p_reason, last_modified_by = null
   where setting_key = p_key and environment = 'all';
end
$$;
grant update on app.system_settings to tessera_definer;

-- Hands every function of schema private to tessera_definer and makes it executable by the
-- runtime role only. Later migrations that add private functions call this again.

create function ops.secure_private_functions() returns integer
  language plpgsql
  set search_path = ''
  as $$
declare
  f record;
  n integer := 0;
begin
  for f in
    select p.oid::regprocedure as signature, p.proname
      from pg_proc p join pg_namespace ns on ns.oid = p.pronamespace
     where ns.nspname = 'private'
  loop
    execute format('alter function %s owner to tessera_definer', f.signature);
    execute format('revoke all on function %s from public', f.signature);
    if f.proname = 'grant_instance_admin' or f.proname like 'operator\_%' then
      -- Operator-only: the CLI calls these as the owner role.
      execute format('grant execute on function %s to tessera_owner', f.signature);
    else
      execute format('grant execute on function %s to tessera_runtime, tessera_definer', f.signature);
    end if;
    n := n + 1;
  end loop;
  return n;
end
$$;

select ops.secure_private_functions();
