import type { Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { answerClientErrors } from '../runtime/server/answer-client-errors.ts';
import { createRequestGuard } from '../runtime/server/create-request-guard.ts';
import { jsonBodyParser } from '../runtime/server/json-body-parser.ts';
import { refuseMalformedUrl } from '../runtime/server/refuse-malformed-url.ts';
import type { DeployBackend } from './backends/deploy-backend.ts';
import { createOrgRuntimeClient } from './backends/org-runtime/org-runtime-client.ts';
import type { ApiConfig } from './config/api-config.ts';
import type { Database } from './db/database.ts';
import type { EmbeddedPostgresSupervisor } from './db/supervise-embedded-postgres.ts';
import { a2aErrorShape } from './http/a2a-error-shape.ts';
import { type ApiRoute, mountRoutes } from './http/api-route.ts';
import { auditRequests } from './http/audit-requests.ts';
import { authenticate } from './http/authenticate.ts';
import { errorEnvelope, requestId, toErrorBody } from './http/error-envelope.ts';
import { keepRawBody } from './http/keep-raw-body.ts';
import { literalPathsWin } from './http/literal-paths-win.ts';
import { createApiMetrics } from './http/metrics.ts';
import { openAiErrorShape } from './http/openai-error-shape.ts';
import { createOrgAccessCache } from './http/org-access-cache.ts';
import { requestLog } from './http/request-log.ts';
import { serveStudio } from './http/serve-studio.ts';
import { createRunPricing } from './pricing/price-runs.ts';
import { a2aRoutes } from './routes/a2a-routes.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import { agentVersionRoutes } from './routes/agent-version-routes.ts';
import { apiKeyRoutes } from './routes/api-key-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { backgroundRunRoutes } from './routes/background-run-routes.ts';
import { budgetRoutes } from './routes/budget-routes.ts';
import { catalogueRoutes } from './routes/catalogue-routes.ts';
import { executionRoutes } from './routes/execution-routes.ts';
import { mcpRoutes } from './routes/mcp-routes.ts';
import { mcpServerRoutes } from './routes/mcp-server-routes.ts';
import { openAiCompatibleRoutes } from './routes/openai-compatible-routes.ts';
import { openApiRoute, opsRouter } from './routes/ops-routes.ts';
import { orgRoutes } from './routes/org-routes.ts';
import { providerKeyRoutes } from './routes/provider-key-routes.ts';
import { scheduleRoutes } from './routes/schedule-routes.ts';
import { signInRoutes } from './routes/sign-in-routes.ts';
import { usageRoutes } from './routes/usage-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import { createA2aService } from './services/a2a/a2a-service.ts';
import { createAgentService } from './services/agent-service.ts';
import { createApiKeyService } from './services/api-key-service.ts';
import { createAuditService } from './services/audit-service.ts';
import { createAuthService } from './services/auth-service.ts';
import { createBackgroundRunService } from './services/background-runs/background-run-service.ts';
import { createBudgetService } from './services/budget-service.ts';
import { createChatCompletionService } from './services/chat-completion-service.ts';
import { credentialsFrom } from './services/credentials-from.ts';
import { createExecutionService } from './services/execution-service.ts';
import { createAgentTools } from './services/mcp/agent-tools.ts';
import { mcpCredentialsOf } from './services/mcp-servers/mcp-credentials-of.ts';
import { createMcpServerService } from './services/mcp-servers/mcp-server-service.ts';
import { mcpToolServersOf } from './services/mcp-servers/mcp-tool-servers-of.ts';
import type { CredentialsOf } from './services/org-deployment.ts';
import { createOrgService } from './services/org-service.ts';
import { providerCredentialsOf } from './services/provider-credentials-of.ts';
import { createProviderKeyService } from './services/provider-key-service.ts';
import { reconcileDeployments } from './services/reconcile-deployments.ts';
import { createScheduleService } from './services/schedules/schedule-service.ts';
import { createSignInService } from './services/sign-in/sign-in-service.ts';
import { startIdleOrgSleep } from './services/start-idle-org-sleep.ts';
import { createTokenService } from './services/token-service.ts';
import { createUsageService } from './services/usage-service.ts';
import { createWebhookService } from './services/webhooks/webhook-service.ts';
import { type AgentStream, attachAgentStream } from './stream/attach-agent-stream.ts';

export interface ApiDeps {
  config: ApiConfig;
  db: Database;
  backend: DeployBackend;
  log: Logger;
  now: () => Date;
  /** Local mode: the PostgreSQL the API started and restarts, which /healthz and /readyz report on. */
  embeddedPostgres?: EmbeddedPostgresSupervisor;
  /** The Studio build to serve at /studio; studio/dist of this checkout if not given. */
  studioDir?: string;
}

export const apiPrefix = '/api/v1';
const bodyLimit = '1mb';
// Inbound webhook bodies are kept as sent, for their signature (README: "Webhooks").
const webhookBodyLimitBytes = 256 * 1024;

// How long a signed-in caller's session and role in an org are taken as read: a session revoked
// by another replica is refused here at most this much later (README: "Sign-in sessions").
const orgAccessCacheMs = 1_000;

/**
 * The Cloud API as a Koa app, with every service wired to the real parts it is given. main.ts
 * and the tests both build it here; only main.ts decides which database and backend.
 */
export function createApi(deps: ApiDeps) {
  const { config, db, backend, log, now } = deps;
  const metrics = createApiMetrics();
  const tokens = createTokenService(config.jwt);
  // The org's runtime credentials: its provider keys, and its MCP servers' URLs and tokens (issue 16).
  const credentialsOf: CredentialsOf = credentialsFrom([
    providerCredentialsOf(config.masterKeys),
    mcpCredentialsOf(config.masterKeys),
  ]);
  const mcpServersOf = mcpToolServersOf({ allowPrivateNetworks: config.mcpAllowPrivateNetworks });
  const accessCache = createOrgAccessCache({ ttlMs: orgAccessCacheMs, now });
  const auth = createAuthService({ db, tokens, config, now, onSessionRevoked: accessCache.forgetSession });
  const signIn = createSignInService({ db, auth, config: config.signIn });
  // Idle orgs cost nothing (issue 13): their runtime sleeps until the next call wakes it.
  const idleOrgSleep =
    backend.sleep && config.orgIdleSeconds > 0
      ? startIdleOrgSleep({ sleep: backend.sleep, idleMs: config.orgIdleSeconds * 1_000, now, log })
      : undefined;
  const agents = createAgentService({
    db,
    backend,
    credentialsOf,
    mcpToolServersOf: mcpServersOf,
    limits: config.limits,
    orgActivity: idleOrgSleep,
    log,
  });
  const orgs = createOrgService({ db, limits: config.limits });
  const apiKeys = createApiKeyService({ db, limits: config.limits });
  const providerKeys = createProviderKeyService({
    db,
    backend,
    credentialsOf,
    mcpToolServersOf: mcpServersOf,
    masterKeys: config.masterKeys,
    orgActivity: idleOrgSleep,
    log,
  });
  // Issue 16: the org's MCP tool servers, whose tools its agents may call.
  const mcpServers = createMcpServerService({
    db,
    backend,
    credentialsOf,
    mcpToolServersOf: mcpServersOf,
    masterKeys: config.masterKeys,
    orgActivity: idleOrgSleep,
    log,
  });
  const usage = createUsageService({ db, now, limits: config.limits, log });
  const runtimeClient = createOrgRuntimeClient();
  const execution = createExecutionService({
    db,
    backend,
    usage,
    runtime: runtimeClient,
    recordRun: metrics.recordRun,
    pricing: createRunPricing(config.modelPrices),
    runtimeRetryMs: config.runtimeRetrySeconds * 1_000,
    orgActivity: idleOrgSleep,
    now,
    log,
  });
  // Issue 16: deployed agents as OpenAI models, under each org's OpenAI base URL.
  const chatCompletions = createChatCompletionService({ db, execution, now, log });
  // Issue 16: runs that outlive their request; schedules and webhooks start theirs through start().
  const backgroundRuns = createBackgroundRunService({
    db,
    execution,
    usage,
    maxRunning: config.backgroundRuns.maxPerReplica,
    eventsRetentionHours: config.backgroundRuns.eventsRetentionHours,
    now,
    log,
  });
  // Issue 16: cron ticks start background runs, each tick exactly once across replicas.
  const schedules = createScheduleService({
    db,
    backgroundRuns,
    minIntervalSeconds: config.scheduleMinIntervalSeconds,
    now,
    log,
  });
  // Issue 16: signed inbound calls that start background runs.
  const webhooks = createWebhookService({ db, backgroundRuns, masterKeys: config.masterKeys, now, log });
  // Issue 15: who changed what. audit.record is also how code outside a request adds an entry.
  const audit = createAuditService({ db, retentionDays: config.auditRetentionDays, log });
  audit.startSweep();
  // Issue 15: budgets; counters of past days and months are swept hourly.
  const budgets = createBudgetService({ db, now, usage, log });
  budgets.startSweep();
  const streams: AgentStream[] = [];
  const guard = createRequestGuard({ log });

  const routes: ApiRoute[] = [
    ...authRoutes(auth, { refreshTtlSeconds: tokens.refreshTtlSeconds, signIn }),
    ...signInRoutes(signIn, { refreshTtlSeconds: tokens.refreshTtlSeconds, devLoginEnabled: config.devLoginEnabled }),
    ...agentRoutes(agents),
    ...agentVersionRoutes(agents),
    ...catalogueRoutes({ mcpServersOf: (orgId) => mcpServersOf(db, orgId) }),
    ...orgRoutes(orgs),
    ...apiKeyRoutes(apiKeys),
    ...providerKeyRoutes(providerKeys),
    ...mcpServerRoutes(mcpServers),
    ...executionRoutes(execution),
    ...backgroundRunRoutes(backgroundRuns, { apiPrefix, log }),
    ...scheduleRoutes(schedules),
    ...openAiCompatibleRoutes(chatCompletions),
    // Issue 16: deployed agents as MCP tools, for IDEs and other agents.
    ...mcpRoutes(createAgentTools({ db, execution, log })),
    // Issue 16: every deployed agent as an A2A agent, its card and JSON-RPC endpoint.
    ...a2aRoutes(createA2aService({ db, execution, now, log }), { apiPrefix, publicUrl: config.signIn.publicUrl }),
    ...usageRoutes(usage),
    ...budgetRoutes(budgets),
    ...auditRoutes(audit),
    ...webhookRoutes(webhooks, { apiPrefix, publicUrl: config.signIn.publicUrl }),
  ] as ApiRoute[];
  routes.push(openApiRoute({ routes, serverUrl: apiPrefix, bodyLimit }));
  const router = new Router({ prefix: apiPrefix });

  const app = new Koa();
  app.silent = true;
  app.use(requestId());
  app.use(guard.middleware((err, id) => toErrorBody(err, id)));
  app.use(requestLog({ log, metrics }));
  app.use(errorEnvelope(log, [openAiErrorShape(apiPrefix), a2aErrorShape(apiPrefix)]));
  app.use(refuseMalformedUrl());
  // Inside the envelope (it sees every refusal's error) and before authentication and body parsing.
  app.use(auditRequests({ audit, router, routes, prefix: apiPrefix, tokens, log }));
  app.use(serveStudio({ studioDir: deps.studioDir }));
  app.use(opsRouter({ db, metrics, embeddedPostgres: deps.embeddedPostgres }).routes());
  app.use(keepRawBody({ path: new RegExp(`^${apiPrefix}/hooks/[^/]+$`), limitBytes: webhookBodyLimitBytes }));
  app.use(jsonBodyParser({ limit: bodyLimit }));
  for (const middleware of authenticate({ db, tokens, now })) app.use(middleware);
  mountRoutes(router, routes, { db, now, accessCache });
  app.use(literalPathsWin(router));
  app.use(router.routes());
  app.use(router.allowedMethods());

  return {
    app,
    routes,
    services: {
      tokens,
      auth,
      agents,
      orgs,
      apiKeys,
      providerKeys,
      mcpServers,
      usage,
      execution,
      audit,
      budgets,
      backgroundRuns,
      schedules,
      webhooks,
    },
    backend,
    /** Pins an error that escapes a handler on its request; main installs it process-wide. */
    guard,
    /** Prometheus metrics; `metrics.recordRun` counts a finished run and its tokens. */
    metrics,
    /** Re-applies every org with deployed or paused agents: after a restart, or a drift, the database wins. */
    reconcileDeployments: () =>
      reconcileDeployments({ db, backend, credentialsOf, mcpToolServersOf: mcpServersOf, log }),
    /** Attaches what is not plain Koa (the WebSocket stream, node's own refusals) to the server the app runs on. */
    attach(server: Server): void {
      answerClientErrors(server);
      const streamDeps = {
        db,
        tokens,
        now,
        execution,
        maxStreamsPerOrg: config.limits.maxStreams,
        streamLeaseSeconds: config.streamLeaseSeconds,
        log,
        recordAudit: audit.record,
      };
      streams.push(attachAgentStream(server, { ...streamDeps, pathPrefix: apiPrefix, guard }));
    },
    async close(): Promise<void> {
      await idleOrgSleep?.stop();
      // Before the background runs: no tick starts a run on a service that is closing.
      await schedules.close();
      // First: its runs end (replica_stopped) and settle their usage while the runtime client is open.
      await backgroundRuns.close();
      // Before the database pool closes: each stream's slot is a lease row to delete.
      await Promise.all(streams.splice(0).map((stream) => stream.close()));
      await runtimeClient.close();
      // Usage records still being written after their runs answered: no run goes unrecorded.
      await usage.settled();
      await budgets.stop();
      await audit.stop();
    },
  };
}
export type Api = ReturnType<typeof createApi>;
