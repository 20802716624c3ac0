-- 0020 split api_keys_manage so owners and admins can revoke any key of their organization,
-- but its UPDATE policy (like any row policy) can't compare the new row with the old one,
-- and the runtime role could update every column. An admin could therefore rewrite another
-- member's key (set key_hash to the hash of a secret they know, or move their own key to
-- the owner's user_id) and then call the API as that member, with that member's role.
-- A key's identity (organization_id, user_id, prefix, key_hash, created_at) is now fixed
-- at insert: the runtime role may update only the columns that describe the key's state.
revoke update on auth.api_keys from tessera_runtime;
grant update (name, scopes, expires_at, revoked_at, revoked_by) on auth.api_keys to tessera_runtime;

-- Revocation is final, for every role: a key revoked because its secret leaked must not be
-- brought back by its holder (a member may update their own keys since 0020).
create function private.api_key_revocation_is_final() returns trigger
  language plpgsql
  set search_path = ''
  as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'API key % is revoked; revocation is final', old.id using errcode = '42501';
  end if;
  return new;
end
$$;
create trigger revocation_is_final before update on auth.api_keys
  for each row execute function private.api_key_revocation_is_final();

select ops.secure_private_functions();
