import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { trackRequestsInFlight } from '../../runtime/server/track-requests-in-flight.ts';
import type { ApiConfig } from '../config/api-config.ts';
import { type Api, createApi } from '../create-api.ts';
import { createDatabase, type DatabaseTimeouts } from '../db/database.ts';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrate } from '../db/migrate.ts';
import { type EmbeddedPostgresSupervisor, superviseEmbeddedPostgres } from '../db/supervise-embedded-postgres.ts';
import { startPeriodicResync } from '../services/start-periodic-resync.ts';
import { prepareDeployBackend } from './prepare-deploy-backend.ts';

export interface RunningApiServer {
  /** `http://127.0.0.1:8080`: routes live under /api/v1. */
  url: string;
  api: Api;
  /**
   * Graceful stop: no new connections, requests in flight finish (up to the configured deadline),
   * idle keep-alive connections may linger (ASTROMESH_SHUTDOWN_LINGER_SECONDS), then everything closes.
   */
  stop(): Promise<void>;
}

interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Starts the Cloud API with real parts: PostgreSQL (DATABASE_URL, or an embedded server whose data
 * stays in the state folder, restarted if it dies), migrations, the configured deploy backend,
 * the deployments the database holds (and, on Kubernetes, a periodic resync of them), and the
 * HTTP server. Whatever started is stopped again if a later step fails.
 */
export async function startApiServer(config: ApiConfig, deps: { log: Logger }): Promise<RunningApiServer> {
  const { log } = deps;
  const createBackend = await prepareDeployBackend(config);
  // Stopped in reverse: the HTTP server first, the database last.
  const shutdown: ShutdownStep[] = [];
  // Set when stop() begins: usage records kept through an outage are written until then.
  let shutdownDeadline = new Date();
  const unwind = async () => {
    for (const step of shutdown.splice(0).reverse()) {
      await step.run().catch((err: unknown) => log.error({ err, step: step.name }, 'shutdown step failed'));
    }
  };
  try {
    let databaseUrl = config.databaseUrl;
    let embeddedPostgres: EmbeddedPostgresSupervisor | undefined;
    if (!databaseUrl) {
      const dataDir = join(config.stateDir, 'postgres');
      const postgres = await startEmbeddedPostgres({
        dataDir,
        port: config.embeddedPostgresPort,
        mode: { kind: 'persistent', passwordFile: join(config.stateDir, 'secrets', 'postgres-password') },
        database: 'astromesh',
        onOutput: (text) => log.debug({ output: text.trim() }, 'embedded PostgreSQL output'),
      });
      shutdown.push({ name: 'embedded PostgreSQL', run: () => postgres.stop() });
      log.info({ dataDir, port: postgres.port, initialised: postgres.initialised }, 'embedded PostgreSQL started');
      databaseUrl = postgres.url;
      const supervisor = superviseEmbeddedPostgres(postgres, { log });
      shutdown.push({ name: 'embedded PostgreSQL restarts', run: async () => supervisor.stop() });
      embeddedPostgres = supervisor;
    }
    const db = createDatabase(databaseUrl, { log, timeouts: databaseTimeoutsOf(config) });
    shutdown.push({ name: 'database pool', run: () => db.end() });
    const applied = await migrate(db);
    log.info({ applied: applied.map((migration) => `${migration.version}_${migration.name}`) }, 'migrations applied');

    const backend = createBackend({ databaseUrl, log });
    shutdown.push({ name: 'deploy backend', run: () => backend.close() });
    const api = createApi({ config, db, backend, log, now: () => new Date(), embeddedPostgres });
    // Runs after the api step (reverse order): once no run can settle any more.
    shutdown.push({ name: 'usage records kept', run: () => api.services.usage.drain(shutdownDeadline) });
    shutdown.push({ name: 'api', run: () => api.close() });

    const resealed = await api.services.providerKeys.resealProviderKeys();
    if (resealed.resealed > 0 || resealed.unreadable.length > 0) {
      log.info({ resealed: resealed.resealed, unreadable: resealed.unreadable }, 'provider keys resealed');
    }
    const resealedWebhooks = await api.services.webhooks.resealSecrets();
    if (resealedWebhooks.resealed > 0 || resealedWebhooks.unreadable.length > 0) {
      log.info(
        { resealed: resealedWebhooks.resealed, unreadable: resealedWebhooks.unreadable },
        'webhook secrets resealed',
      );
    }
    const resealedMcpTokens = await api.services.mcpServers.resealTokens();
    if (resealedMcpTokens.resealed > 0 || resealedMcpTokens.unreadable.length > 0) {
      log.info(
        { resealed: resealedMcpTokens.resealed, unreadable: resealedMcpTokens.unreadable },
        'MCP server tokens resealed',
      );
    }
    const reconciled = await api.reconcileDeployments();
    log.info({ orgs: reconciled.applied.length, failed: reconciled.failed }, 'deployments restored from the database');
    if (config.backend === 'kubernetes') {
      // CloudAgents can be edited or deleted by hand; PostgreSQL is the source of truth (DESIGN.md decision 2).
      const resync = startPeriodicResync({
        intervalMs: config.kubernetes.resyncIntervalSeconds * 1000,
        resync: () => api.reconcileDeployments(),
        log,
      });
      shutdown.push({ name: 'periodic resync', run: () => resync.stop() });
    }

    const server = createServer(api.app.callback());
    const requests = trackRequestsInFlight(server);
    api.attach(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    shutdown.push({
      name: 'http server',
      run: async () => {
        const { abandoned } = await requests.drain({
          deadlineMs: config.shutdownTimeoutSeconds * 1000,
          lingerMs: config.shutdownLingerSeconds * 1000,
        });
        if (abandoned > 0) log.warn({ abandoned }, 'requests still running at the shutdown deadline were cut off');
      },
    });
    const url = urlOf(config.host, (server.address() as AddressInfo).port);
    log.info({ url, mode: config.mode, devLogin: config.devLoginEnabled }, 'astromesh api listening');

    return {
      url,
      api,
      async stop() {
        shutdownDeadline = new Date(Date.now() + config.shutdownTimeoutSeconds * 1000);
        log.info({ deadlineSeconds: config.shutdownTimeoutSeconds }, 'shutting down');
        await unwind();
        log.info({}, 'stopped');
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** Where a client reaches the server: a wildcard address is reached on loopback. */
function urlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function databaseTimeoutsOf(config: ApiConfig): DatabaseTimeouts {
  const { connectSeconds, querySeconds, idleInTransactionSeconds } = config.databaseTimeouts;
  // A deploy holds its transaction while the backend applies the change: up to the kubernetes
  // deploy timeout, or a local runtime's start (30 s) and reload; then the usual idle allowance.
  const heldSeconds = Math.max(config.kubernetes.deployTimeoutSeconds, 60) + idleInTransactionSeconds;
  return {
    connectMs: connectSeconds * 1000,
    queryMs: querySeconds * 1000,
    idleInTransactionMs: idleInTransactionSeconds * 1000,
    heldTransactionMs: heldSeconds * 1000,
  };
}
