import type Router from '@koa/router';
import { z } from 'zod';
import type { RuntimeServices } from '../runtime-services.ts';
import { parse } from './parse.ts';

// The contracts of /v1/memory (seed 002); the OpenAPI document (../openapi/) is built from them.

export const SessionId = z.string().min(1).max(256);
export const HistoryParams = z.object({ agent: z.string(), session: SessionId });

export const History = z.object({
  agent: z.string(),
  session_id: z.string(),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })),
});
export const HistoryCleared = z.object({ status: z.literal('cleared'), agent: z.string(), session_id: z.string() });

export function memoryRoutes(router: Router, services: RuntimeServices): void {
  router.get('/memory/:agent/history/:session', async (ctx) => {
    const agent = ctx.params.agent as string;
    const session = parse(SessionId, ctx.params.session, 'session');
    const turns = await services.engine.history(agent, session);
    ctx.body = {
      agent,
      session_id: session,
      messages: turns.map(({ role, content }) => ({ role, content })),
    } satisfies z.infer<typeof History>;
  });

  router.delete('/memory/:agent/history/:session', async (ctx) => {
    const agent = ctx.params.agent as string;
    const session = parse(SessionId, ctx.params.session, 'session');
    await services.engine.clearHistory(agent, session);
    ctx.body = { status: 'cleared', agent, session_id: session } satisfies z.infer<typeof HistoryCleared>;
  });
}
