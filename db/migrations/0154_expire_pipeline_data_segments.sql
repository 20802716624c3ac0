-- The instance-wide retention of pipeline data (ops.data_retention_policies 'pipeline_data',
-- archive before delete) covers compressed days too: their partitions are gone, so the
-- worker's ops:retention takes expired segments with this function, writes their decoded rows
-- (the shape of ingest.pipeline_data) to the archive, and commits only once the file is
-- written, as for metric segments (0131). Owner-only (operator_ prefix).
create function private.operator_take_expired_pipeline_segments(p_before date, p_limit integer)
  returns table (row_data jsonb)
  language sql volatile security definer set search_path = ''
  as $$
    with taken as (
      delete from ingest.pipeline_data_segments s
       where (s.organization_id, s.pipeline_id, s.day, s.seq) in (
         select x.organization_id, x.pipeline_id, x.day, x.seq from ingest.pipeline_data_segments x where x.day < p_before limit p_limit)
      returning s.*)
    select jsonb_build_object('id', r.id, 'pipeline_id', t.pipeline_id, 'organization_id', t.organization_id, 'ingested_at', r.ingested_at,
                              'record_time', r.record_time, 'ingestion_job_id', r.ingestion_job_id, 'data', r.data)
      from taken t
     cross join lateral ingest.pipeline_segment_rows(t.first_id, t.first_ingested_at, t.id_deltas, t.ingested_deltas, t.record_offsets, t.job_ids, t.data) r
$$;

select ops.secure_private_functions();
