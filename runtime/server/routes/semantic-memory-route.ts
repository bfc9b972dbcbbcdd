import type Router from '@koa/router';
import { z } from 'zod';
import { queryInteger } from '../query-integer.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { abortOnClientGone } from './abort-on-client-gone.ts';
import { parse } from './parse.ts';

// GET /v1/memory/{agent}/semantic (seed 002); the OpenAPI document (../openapi/) is built from these.

export const SemanticParams = z.object({ agent: z.string() });
export const SemanticQuery = z.object({
  query: z.string().min(1).max(8_000).describe('Text to search for semantically similar entries.'),
  top_k: queryInteger({ min: 1, max: 100, default: 5 }),
});
export const SemanticResults = z.object({
  results: z.array(
    z.object({
      text: z.string(),
      score: z.number(),
      metadata: z.object({ session_id: z.string(), timestamp: z.string() }),
    }),
  ),
});

/**
 * An agent's semantic memory, searched across its sessions. An agent without memory.semantic
 * remembers nothing by meaning and answers no results (as upstream does); one not loaded is a 404.
 */
export function semanticMemoryRoute(router: Router, services: RuntimeServices): void {
  router.get('/memory/:agent/semantic', async (ctx) => {
    const agent = ctx.params.agent as string;
    const query = parse(SemanticQuery, ctx.query, 'query');
    const results = await services.engine.searchSemanticMemory(agent, query.query, query.top_k, abortOnClientGone(ctx));
    ctx.body = { results } as z.infer<typeof SemanticResults>;
  });
}
