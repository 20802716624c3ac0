import { z } from 'zod'
import type { McpTool } from './mcp.tool.ts'
import { getDashboardTool, listDashboardsTool, listMetricsTool, queryMetricTool } from './tools.dashboards.ts'
import { getPipelineRunsTool, listPipelinesTool, listSavedQueriesTool, runSavedQueryTool, triggerPipelineRunTool } from './tools.pipelines.ts'
import { getErrorSummaryTool, resolveErrorTool, searchToolCallsTool } from './tools.telemetry.ts'

/** Every tool Tessera's MCP server offers, in the order tools/list gives them (names are the contract). */
export const TOOLS: readonly McpTool[] = [
  listDashboardsTool,
  getDashboardTool,
  listMetricsTool,
  queryMetricTool,
  listPipelinesTool,
  getPipelineRunsTool,
  triggerPipelineRunTool,
  listSavedQueriesTool,
  runSavedQueryTool,
  searchToolCallsTool,
  getErrorSummaryTool,
  resolveErrorTool,
]

export const TOOLS_BY_NAME: ReadonlyMap<string, McpTool> = new Map(TOOLS.map((tool) => [tool.name, tool]))

/** The tools/list entry of a tool: its zod input as JSON Schema (2020-12, as MCP 2025-11-25 expects), and hints for clients. */
export function toolDefinition(tool: McpTool) {
  const { $schema: _schema, ...inputSchema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: { ...inputSchema, type: 'object' as const },
    annotations: {
      title: tool.title,
      readOnlyHint: !tool.write,
      destructiveHint: false,
      idempotentHint: !tool.write,
      openWorldHint: false,
    },
  }
}
