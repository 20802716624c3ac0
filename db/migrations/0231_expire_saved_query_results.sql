-- Saved-query results (0210) are overwritten per cache key, but a key never asked again (other
-- parameters, an edited query) would stay forever: the daily retention deletes results that
-- expired more than a day ago, in batches (ops.cleanup_old_data, seed 002's mechanism).
insert into ops.data_retention_policies (table_name, retention_days, archive_before_delete, relation, time_column, delete_condition, cleanup_batch_size) values
  ('saved_query_results', 1, false, 'app.saved_query_results', 'expires_at', null, 10000);
grant select, delete on app.saved_query_results to tessera_definer;
