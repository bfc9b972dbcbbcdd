import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { defaultDataDir, type Options } from './cli-options.ts';
import { createAgentCatalog } from './config/agent-catalog.ts';
import { createCredentialsStore } from './config/credentials-store.ts';
import { createAgentChecks } from './engine/create-agent-checks.ts';
import { type AgentEngine, createAgentEngine } from './engine/create-agent-engine.ts';
import { ensureWritableDataDir } from './ensure-writable-data-dir.ts';
import { createConversationStores } from './memory/create-conversation-stores.ts';
import { createInProcessConversationStore } from './memory/create-in-process-conversation-store.ts';
import { createTracing } from './observability/create-tracing.ts';
import { createMetricsRegistry } from './observability/metrics-registry.ts';
import { createRagPipelineCatalog } from './rag/create-rag-pipeline-catalog.ts';
import { createRagService } from './rag/create-rag-service.ts';
import { createBreakerRegistry } from './router/circuit-breaker.ts';
import { createLatencyTracker } from './router/latency-tracker.ts';
import type { RetryPolicy } from './router/model-router.ts';
import { createTokenCheck } from './server/bearer-token.ts';
import type { RequestGuard } from './server/create-request-guard.ts';
import { createRuntimeServer } from './server/create-runtime-server.ts';
import { watchTokenFile } from './server/watch-token-file.ts';
import { createBuiltinToolService } from './tools/builtin-tool-service.ts';

export interface RunningRuntime {
  url: string;
  port: number;
  engine: AgentEngine;
  /** Pins an error that escapes a handler on its request; main installs it process-wide. */
  guard: RequestGuard;
  /**
   * Graceful stop: runs in flight get `options.shutdownTimeoutSeconds` to finish; idle keep-alive
   * connections stay open `options.shutdownLingerSeconds` (within it), their requests served.
   */
  stop(): Promise<void>;
}

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/**
 * Starts astromeshd with real parts: the agents directory, credentials, memory backend,
 * tracing, and the HTTP + WebSocket server. The CLI, the Cloud API's local backend and the
 * tests all start the runtime through here.
 */
export async function startRuntime(
  options: Options,
  deps: { env: NodeJS.ProcessEnv; log: Logger; modelRetry?: RetryPolicy; otlpExportDelayMs?: number },
): Promise<RunningRuntime> {
  const { log } = deps;
  const now = () => performance.timeOrigin + performance.now();
  // One data directory for everything kept on disk: sqlite memory, the vector store, bundles.
  const dataDir = options.dataDir ?? defaultDataDir(deps.env);
  await ensureWritableDataDir(dataDir);
  const credentials = createCredentialsStore({ path: options.credentials, env: deps.env, log });
  await credentials.start();
  const token = watchTokenFile(options.authTokenFile, log);
  const memoryUrl = options.memory;
  const conversations = createConversationStores({
    memory: createInProcessConversationStore(),
    // Loaded only with --memory, so a runtime without a database never loads the pg client.
    postgres: memoryUrl
      ? await import('./memory/create-postgres-conversation-store.ts').then((module) =>
          module.createPostgresConversationStore({ connectionString: memoryUrl, schema: options.memorySchema, log }),
        )
      : undefined,
    dataDir,
    log,
  });
  const tracing = await createTracing({
    serviceName: 'astromeshd',
    otlpEndpoint: options.otlpEndpoint,
    otlpExportDelayMs: deps.otlpExportDelayMs,
  });
  const metrics = createMetricsRegistry();
  const breakers = createBreakerRegistry();
  // RAGPipeline files live beside the agents; vectors in a SQLite file under the data directory.
  const pipelines = createRagPipelineCatalog({ dir: options.agentsDir, log });
  const rag = createRagService({
    pipelines,
    credentials: credentials.lookup,
    log,
    dataDir,
  });
  let engine: AgentEngine | undefined;
  const catalog = createAgentCatalog({
    dir: options.agentsDir,
    checks: createAgentChecks({
      hasPostgresMemory: conversations.postgres !== undefined,
      allowMcpStdio: !options.disableMcpStdio,
    }),
    log,
    onChange: (change) => engine?.onCatalogChange(change),
  });
  engine = createAgentEngine({
    credentials: credentials.lookup,
    conversations,
    breakers,
    latency: createLatencyTracker(),
    metrics,
    log,
    now,
    tracing,
    catalogEntries: () => catalog.list(),
    modelRetry: deps.modelRetry,
    rag,
    // knowledge.bundle directories live beside the agents or under the data directory.
    bundleRoots: { agentsDir: options.agentsDir, dataDir },
  });
  await pipelines.start();
  await catalog.start();

  const server = createRuntimeServer(
    {
      engine,
      agentFiles: () => catalog.list(),
      traces: tracing.store,
      metrics,
      builtinTools: createBuiltinToolService({ credentials: credentials.lookup, log }),
      breakers,
      rag,
      ragPipelines: () => pipelines.list(),
      reload: async () => {
        await credentials.reload();
        await pipelines.rescan();
        await catalog.rescan();
      },
      version,
      startedAtMs: now(),
      now,
    },
    { tokenCheck: createTokenCheck(token.current), log },
  );
  const { port } = await server.listen(options.port, options.host);
  log.info(
    { host: options.host, port, agents: catalog.list().length, authToken: options.authTokenFile !== undefined },
    'astromeshd listening',
  );

  const loadedEngine = engine;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    engine: loadedEngine,
    guard: server.guard,
    async stop() {
      log.info(
        {
          activeRuns: loadedEngine.activeRuns(),
          deadlineSeconds: options.shutdownTimeoutSeconds,
          lingerSeconds: options.shutdownLingerSeconds,
        },
        'shutting down',
      );
      await server.shutdown({
        deadlineMs: options.shutdownTimeoutSeconds * 1000,
        lingerMs: options.shutdownLingerSeconds * 1000,
      });
      await Promise.allSettled([
        catalog.close(),
        loadedEngine.close(),
        pipelines.close().then(() => rag.close()),
        credentials.close(),
        token.close(),
        conversations.close(),
        tracing.shutdown(),
      ]);
      log.info({}, 'stopped');
    },
  };
}
