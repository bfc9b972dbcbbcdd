import type Router from '@koa/router';
import { z } from 'zod';
import { RuntimeError } from '../../runtime-error.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

const ExecuteToolRequest = z.object({
  tool: z.string().min(1).max(64),
  input: z.record(z.string(), z.unknown()).default({}),
});

// A tool that refuses or fails answered the request properly; the status says which kind.
const statusOfToolError: Record<string, number> = {
  invalid_input: 400,
  refused: 403,
  not_configured: 422,
  rate_limited: 429,
  timeout: 504,
  failed: 502,
};

export function toolRoutes(router: Router, services: RuntimeServices): void {
  router.get('/tools', (ctx) => {
    const byName = new Map<string, { name: string; type: string; description: string; agents: string[] }>();
    const descriptions = new Map(services.builtinTools.list().map((tool) => [tool.name, tool.description]));
    for (const entry of services.agentFiles()) {
      for (const tool of entry.agent?.spec.tools ?? []) {
        const view = byName.get(tool.name) ?? {
          name: tool.name,
          type: tool.type,
          description: tool.description ?? descriptions.get(tool.name) ?? '',
          agents: [],
        };
        view.agents.push(entry.name);
        byName.set(tool.name, view);
      }
    }
    ctx.body = { tools: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  });

  router.get('/tools/builtin', (ctx) => {
    const tools = services.builtinTools.list();
    ctx.body = { tools, count: tools.length };
  });

  router.post('/tools/execute', async (ctx) => {
    const request = parse(ExecuteToolRequest, ctx.request.body);
    const startedAt = services.now();
    const result = await services.builtinTools.execute(request.tool, request.input, abortOnClientGone(ctx));
    if (!result.success) {
      const status = statusOfToolError[result.error.code] ?? 502;
      throw new RuntimeError(`tool_${result.error.code}`, status, result.error.message);
    }
    ctx.body = { tool: request.tool, output: result.data, timing_ms: Math.round(services.now() - startedAt) };
  });
}
