import type Router from '@koa/router';
import { z } from 'zod';
import type { RuntimeServices } from '../runtime-services.ts';

export const Health = z.object({
  status: z.literal('healthy'),
  version: z.string(),
  uptime_seconds: z.int(),
});

/** GET /v1/health (seed 002): open without the token, so a kubelet or load balancer can probe. */
export function healthRoute(router: Router, services: RuntimeServices): void {
  router.get('/health', (ctx) => {
    ctx.body = {
      status: 'healthy',
      version: services.version,
      uptime_seconds: Math.floor((services.now() - services.startedAtMs) / 1000),
    } satisfies z.infer<typeof Health>;
  });
}
