import type { Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { DeployBackend } from './backends/deploy-backend.ts';
import type { ApiConfig } from './config/api-config.ts';
import type { Database } from './db/database.ts';
import { type ApiRoute, mountRoutes } from './http/api-route.ts';
import { authenticate } from './http/authenticate.ts';
import { errorEnvelope, requestId } from './http/error-envelope.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { createAgentService } from './services/agent-service.ts';
import { createAuthService } from './services/auth-service.ts';
import type { CredentialsOf } from './services/org-deployment.ts';
import { createTokenService } from './services/token-service.ts';

export interface ApiDeps {
  config: ApiConfig;
  db: Database;
  backend: DeployBackend;
  log: Logger;
  now: () => Date;
}

export const apiPrefix = '/api/v1';
const bodyLimit = '1mb';

/**
 * The Cloud API as a Koa app, with every service wired to the real parts it is given. main.ts
 * and the tests both build it here; only main.ts decides which database and backend.
 */
export function createApi(deps: ApiDeps) {
  const { config, db, backend, log, now } = deps;
  const tokens = createTokenService(config.jwt);
  const credentialsOf: CredentialsOf = async () => ({});
  const auth = createAuthService({ db, tokens, config, now });
  const agents = createAgentService({ db, backend, credentialsOf, limits: config.limits });

  const routes: ApiRoute[] = [...authRoutes(auth), ...agentRoutes(agents)] as ApiRoute[];

  const app = new Koa();
  app.silent = true;
  app.use(requestId());
  app.use(errorEnvelope(log));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: bodyLimit, encoding: 'utf-8' }));
  for (const middleware of authenticate({ db, tokens, now })) app.use(middleware);
  const router = new Router({ prefix: apiPrefix });
  mountRoutes(router, routes, { db });
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    routes,
    services: { tokens, auth, agents },
    backend,
    /** Attaches what is not plain HTTP (the WebSocket stream) to the server the app runs on. */
    attach(_server: Server): void {},
    async close(): Promise<void> {},
  };
}
export type Api = ReturnType<typeof createApi>;
