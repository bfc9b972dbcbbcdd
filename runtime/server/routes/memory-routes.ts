import type Router from '@koa/router';
import { z } from 'zod';
import type { RuntimeServices } from '../runtime-services.ts';
import { parse } from './parse.ts';

const SessionId = z.string().min(1).max(256);

export function memoryRoutes(router: Router, services: RuntimeServices): void {
  router.get('/memory/:agent/history/:session', async (ctx) => {
    const agent = ctx.params.agent as string;
    const session = parse(SessionId, ctx.params.session, 'session');
    const turns = await services.engine.history(agent, session);
    ctx.body = { agent, session_id: session, messages: turns.map(({ role, content }) => ({ role, content })) };
  });

  router.delete('/memory/:agent/history/:session', async (ctx) => {
    const agent = ctx.params.agent as string;
    const session = parse(SessionId, ctx.params.session, 'session');
    await services.engine.clearHistory(agent, session);
    ctx.body = { status: 'cleared', agent, session_id: session };
  });
}
