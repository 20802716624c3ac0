-- Issue 6, tool-usage analytics: the fields the issue adds to seed 002's tool_usage_logs
-- (0180 created the seed's fields, partitioned by month). Columns added to the partitioned
-- parent reach every partition, existing and future; the constant defaults need no rewrite.
--
-- error_type: 'protocol' when the call was refused before the tool ran (unknown tool, invalid
--   arguments), 'tool' when the tool ran and answered an error (isError). Null on success.
-- trace_id / span_id: W3C trace context of the call (traceparent, or the OTLP span's ids).
-- client_name / client_version / protocol_version: the MCP client as its initialize named it.
-- source: 'tessera' (Tessera's own MCP server) or 'external' (OTLP traces and the direct
--   logging endpoint of other people's MCP servers).

alter table telemetry.tool_usage_logs
  add column error_type varchar(20),
  add column trace_id varchar(32),
  add column span_id varchar(16),
  add column client_name varchar(255),
  add column client_version varchar(100),
  add column protocol_version varchar(20),
  add column source varchar(20) not null default 'tessera';

alter table telemetry.tool_usage_logs
  add constraint chk_tool_usage_error_type check (error_type in ('protocol', 'tool')),
  add constraint chk_tool_usage_error_type_on_failure check (error_type is null or not success),
  add constraint chk_tool_usage_source check (source in ('tessera', 'external'));

-- The analytics list filters one organization's calls by source and looks calls up by trace.
create index idx_tool_usage_org_source_time on telemetry.tool_usage_logs (organization_id, source, "timestamp" desc);
create index idx_tool_usage_trace on telemetry.tool_usage_logs (organization_id, trace_id) where trace_id is not null;
