import type { Logger } from 'pino';
import type { OrgRuntimeSettings } from './config/org-runtime-settings.ts';
import { createControllerMetrics } from './controller/controller-metrics.ts';
import { createHealthServer, type Readiness } from './controller/health-server.ts';
import type { InformerOptions } from './controller/informer.ts';
import { type LeaderElection, type LeaseCandidacy, startLeaderElection } from './controller/leader-election.ts';
import type { KubeAccess } from './kube/kube-access.ts';
import { createKubeClient } from './kube/kube-client.ts';
import { type OrgController, startOrgController } from './start-org-controller.ts';

export interface OperatorConfig {
  kubeConfig: KubeAccess;
  settings: OrgRuntimeSettings;
  /** Undefined: no election, this replica always reconciles (one replica, or tests). */
  leaderElection: LeaseCandidacy | undefined;
  identity: string;
  /** Serve only org namespaces with these labels (see `startOrgController`). */
  orgNamespaceSelector?: string;
  /** The operator's own namespace: where the runtime's image pull Secrets are. */
  pullSecretNamespace?: string;
  workers: number;
  resyncIntervalMs: number;
  host: string;
  port: number;
  informerOptions?: InformerOptions;
  log: Logger;
}

export interface RunningOperator {
  /** The port of /healthz, /readyz and /metrics. */
  port: number;
  isLeader(): boolean;
  /**
   * Graceful stop, in the order that hands over cleanly: readiness off, the controller stopped
   * (reconciles in flight finish), the Lease released (another replica takes over at once),
   * then the health server closed.
   */
  stop(): Promise<void>;
  /** Resolves if this replica loses its Lease: the caller should exit and start clean. */
  lostLeadership: Promise<void>;
}

/**
 * The operator process: a health server from the start, and the org controller while this
 * replica leads. A replica that loses the Lease stops reconciling at once and reports it;
 * `main.ts` exits then, as client-go controllers do, so the next start is clean.
 */
export async function startOperator(config: OperatorConfig): Promise<RunningOperator> {
  const log = config.log;
  const kube = createKubeClient(config.kubeConfig);
  let controller: OrgController | undefined;
  let isStopping = false;
  let isLeading = false;
  const lost = Promise.withResolvers<void>();

  const metrics = createControllerMetrics({
    queueDepth: () => controller?.queue.length ?? 0,
    isLeader: () => isLeading,
  });
  const ready = (): Readiness => {
    if (isStopping) return { ready: false, reason: 'stopping' };
    // A standby replica is ready: it is healthy and waits for the Lease.
    if (!isLeading) return { ready: true };
    return controller?.hasSynced() ? { ready: true } : { ready: false, reason: 'informers have not synced yet' };
  };
  const health = await createHealthServer({ ready, metrics, log }).listen({ host: config.host, port: config.port });

  const lead = () => {
    isLeading = true;
    log.info({ identity: config.identity }, 'leading: reconciling org namespaces');
    controller = startOrgController({
      kubeConfig: config.kubeConfig,
      kube,
      settings: config.settings,
      workers: config.workers,
      resyncIntervalMs: config.resyncIntervalMs,
      identity: config.identity,
      orgNamespaceSelector: config.orgNamespaceSelector,
      pullSecretNamespace: config.pullSecretNamespace,
      informerOptions: config.informerOptions,
      onResult: (report) => {
        metrics.observeReconcile(report);
        if (report.error)
          log.warn({ err: report.error, namespace: report.key, outcome: report.outcome }, 'reconcile failed');
      },
      log,
    });
  };
  const stopController = async () => {
    const running = controller;
    controller = undefined;
    isLeading = false;
    await running?.stop();
  };

  let election: LeaderElection | undefined;
  if (config.leaderElection) {
    election = startLeaderElection({
      kubeConfig: config.kubeConfig,
      ...config.leaderElection,
      onStartedLeading: lead,
      onStoppedLeading: () => {
        // Stop reconciling at once: another replica may already hold the Lease.
        void stopController();
        if (!isStopping) {
          log.warn('leadership lost: reconciling stopped');
          lost.resolve();
        }
      },
      log,
    });
  } else {
    lead();
  }
  log.info({ port: health.port }, 'operator listening');

  return {
    port: health.port,
    isLeader: () => isLeading,
    lostLeadership: lost.promise,
    async stop() {
      if (isStopping) return;
      isStopping = true;
      log.info('shutting down: readiness off');
      await stopController();
      log.info('work queue stopped');
      if (election) {
        await election.stop();
        log.info('left the leader election');
      }
      await health.close();
      kube.close();
      log.info('stopped');
    },
  };
}
