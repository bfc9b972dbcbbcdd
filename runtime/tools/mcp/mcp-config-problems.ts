import type { ToolSpec } from '../../config/agent-schema.ts';
import type { ConfigIssue } from '../../config/load-agent-file.ts';
import { McpServerConfig, transportOf } from './mcp-server-config.ts';

/**
 * What is wrong with a `tools[]` entry of type mcp, found when the agent loads: a config the
 * server cannot be reached with, or a stdio server where the runtime runs none (the Cloud's
 * runtimes, started with --disable-mcp-stdio: a shared platform runs no org's programs).
 */
export function mcpConfigProblems(tool: ToolSpec, index: number, options: { allowStdio: boolean }): ConfigIssue[] {
  const at = (...path: (string | number)[]) => ['spec', 'tools', index, ...path];
  if (tool.parameters !== undefined)
    return [{ path: at('parameters'), message: 'an MCP server lists its own tools and their parameters' }];
  const parsed = McpServerConfig.safeParse(tool.config ?? {});
  if (!parsed.success)
    return parsed.error.issues.map((issue) => ({
      path: at('config', ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))),
      message: issue.message,
    }));
  if (!options.allowStdio && transportOf(parsed.data) === 'stdio')
    return [
      {
        path: at('config', 'command'),
        message: 'this runtime runs no stdio MCP servers (--disable-mcp-stdio); use a streamable_http server (url)',
      },
    ];
  return [];
}
