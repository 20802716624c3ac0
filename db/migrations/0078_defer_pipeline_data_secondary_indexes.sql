-- Fix forward of 0050, after 0076: the seed's two other secondary indexes of pipeline_data are
-- deferred to closed partitions as well. On the partition taking today's inserts the primary
-- key (pipeline_id, ingested_at, id) already is the pipeline/time btree the seed's
-- idx_pipeline_data_pipeline_time duplicates, and the organization index serves no query there
-- (every read names a pipeline; row-level security adds the organization). Each btree costs
-- every inserted row a descent and a page write; on today's partition that left the primary
-- key, the record_time btree and the BRIN. Partitions whose day is over get all of the seed's
-- indexes, named <partition>_pipeline_time, <partition>_team and <partition>_data_gin.
drop index ingest.idx_pipeline_data_pipeline_time;
drop index ingest.idx_pipeline_data_team;
insert into ops.deferred_indexes (parent_table, index_suffix, definition) values
  ('ingest.pipeline_data', 'pipeline_time', '(pipeline_id, ingested_at desc)'),
  ('ingest.pipeline_data', 'team', '(organization_id)');

select ops.build_deferred_indexes();
