import type Router from '@koa/router';
import { z } from 'zod';
import { RuntimeError } from '../../runtime-error.ts';
import { builtinTools } from '../../tools/builtin-tools.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

// The contracts of /v1/tools (seed 002); the OpenAPI document (../openapi/) is built from them.

/**
 * POST /v1/tools/execute: one variant per built-in tool, with that tool's own input schema, so
 * the document names every tool and what it takes. `input` may be left out when the tool needs
 * nothing (datetime_now).
 */
export const ExecuteToolRequest = z.discriminatedUnion(
  'tool',
  builtinTools.map((tool) =>
    z.object({
      tool: z.literal(tool.name),
      input: tool.inputSchema.safeParse({}).success ? tool.inputSchema.optional() : tool.inputSchema,
    }),
  ) as unknown as [z.ZodObject<{ tool: z.ZodLiteral<string>; input: z.ZodType }>],
  { error: `must be a built-in tool: ${builtinTools.map((tool) => tool.name).join(', ')}` },
);

const ToolView = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string(),
  agents: z.array(z.string()),
  server: z.string().optional().describe("Type mcp: the agents' tools[] entry (the MCP server) the tool comes from."),
  error: z
    .string()
    .optional()
    .describe(
      'Type mcp, for a server that could not be reached or listed: why. Its tools are not offered until it can.',
    ),
});
export const ToolList = z.object({ tools: z.array(ToolView) });
export const BuiltinToolList = z.object({
  tools: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      parameters: z.record(z.string(), z.unknown()).describe("JSON Schema of the tool's input."),
    }),
  ),
  count: z.int(),
});
export const ToolAnswer = z.object({ tool: z.string(), output: z.unknown(), timing_ms: z.int() });

// A tool that refuses or fails answered the request properly; the status says which kind.
export const statusOfToolError: Record<string, number> = {
  invalid_input: 400,
  refused: 403,
  not_configured: 422,
  rate_limited: 429,
  timeout: 504,
  failed: 502,
};

export function toolRoutes(router: Router, services: RuntimeServices): void {
  // MCP servers are listed by the tools they offer (each agent's servers are connected if they were
  // not); a server that cannot be reached is listed itself, with why.
  router.get('/tools', async (ctx) => {
    const byName = new Map<string, z.infer<typeof ToolView>>();
    const add = (agent: string, tool: Omit<z.infer<typeof ToolView>, 'agents'>) => {
      const view = byName.get(tool.name) ?? { ...tool, agents: [] };
      view.agents.push(agent);
      byName.set(tool.name, view);
    };
    const descriptions = new Map(services.builtinTools.list().map((tool) => [tool.name, tool.description]));
    for (const entry of services.agentFiles()) {
      for (const tool of entry.agent?.spec.tools ?? []) {
        if (tool.type === 'mcp') continue;
        add(entry.name, {
          name: tool.name,
          type: tool.type,
          description: tool.description ?? descriptions.get(tool.name) ?? '',
        });
      }
    }
    for (const { agent, servers } of await services.engine.mcpServers(abortOnClientGone(ctx))) {
      for (const server of servers) {
        if (server.error !== undefined)
          add(agent, { name: server.server, type: 'mcp', description: '', server: server.server, error: server.error });
        for (const tool of server.tools)
          add(agent, { name: tool.name, type: 'mcp', description: tool.description, server: server.server });
      }
    }
    ctx.body = {
      tools: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    } satisfies z.infer<typeof ToolList>;
  });

  router.get('/tools/builtin', (ctx) => {
    const tools = services.builtinTools.list();
    ctx.body = { tools, count: tools.length } satisfies z.infer<typeof BuiltinToolList>;
  });

  router.post('/tools/execute', async (ctx) => {
    const request = parse(ExecuteToolRequest, ctx.request.body);
    // The tool parses its input itself; it gets what was sent, not this schema's output.
    const input = (ctx.request.body as { input?: unknown }).input ?? {};
    const startedAt = services.now();
    const result = await services.builtinTools.execute(request.tool, input, abortOnClientGone(ctx));
    if (!result.success) {
      const status = statusOfToolError[result.error.code] ?? 502;
      throw new RuntimeError(`tool_${result.error.code}`, status, result.error.message);
    }
    ctx.body = {
      tool: request.tool,
      output: result.data,
      timing_ms: Math.round(services.now() - startedAt),
    } satisfies z.infer<typeof ToolAnswer>;
  });
}
