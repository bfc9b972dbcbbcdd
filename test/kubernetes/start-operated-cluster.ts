import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { type RunningOperator, startOperator } from '../../operator/start-operator.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { apiIdentityFromChart, operatorIdentityFromChart } from '../support/chart-identity.ts';
import { runtimeImageCommand } from '../support/start-kubernetes-stack.ts';
import { startTestCluster, type TestCluster } from '../support/start-test-cluster.ts';
import { waitUntilQuotaCountsCloudAgents } from '../support/wait-until-quota-counts-cloud-agents.ts';

/** The runtime image the operator writes into every org Deployment; the fake kubelet runs astromeshd for it. */
const runtimeImage = 'astromesh-runtime:operated';

export interface OperatedCluster {
  cluster: TestCluster;
  /** A cluster admin, for looking at (and meddling with) what the API and the operator wrote. */
  admin: KubeConfig;
  /** Acts with exactly the RBAC the chart gives the Cloud API. */
  asApi: KubeConfig;
  /** The operator's JSON log, for a failing test's message. */
  operatorLogFile: string;
  /** Takes the operator down (as a crashed or unscheduled one would be): nothing reconciles until startOperator(). */
  stopOperator(): Promise<void>;
  /** Starts the operator again if it is down; it then reconciles every org namespace from scratch. */
  startOperator(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real operator (`startOperator`, in this process, with the chart's operator RBAC) on a test
 * cluster whose fake kubelet runs runtime pods as astromeshd processes: CloudAgent phases, reasons
 * and finalizers are the operator's own, and Ready means a runtime pod really serves the agent.
 * Slower to start than the shared control plane (a cluster of its own, and the wait for the quota
 * controller to count CloudAgents), so a test file starts one and its tests share it.
 */
export async function startOperatedCluster(): Promise<OperatedCluster> {
  const cluster = await startTestCluster({
    images: { [runtimeImage]: { command: runtimeImageCommand } },
  });
  let operator: RunningOperator | undefined;
  const stopOperator = async () => {
    await operator?.stop();
    operator = undefined;
  };
  try {
    const admin = cluster.kubeConfig;
    await applyCrds(admin);
    const [{ kubeConfig: asOperator }, { kubeConfig: asApi }] = await Promise.all([
      operatorIdentityFromChart(admin),
      apiIdentityFromChart(admin),
      waitUntilQuotaCountsCloudAgents(admin),
    ]);
    const operatorLogFile = join(cluster.dir, 'operator.log');
    const log = pino({ level: 'info' }, pino.destination({ dest: operatorLogFile, sync: true }));
    const settings = OrgRuntimeSettings.parse({ image: runtimeImage });
    const startOperatorIfDown = async () => {
      operator ??= await startOperator({
        kubeConfig: asOperator,
        settings,
        // One replica per cluster: nothing to elect.
        leaderElection: undefined,
        identity: 'operated-cluster',
        workers: 2,
        resyncIntervalMs: 60_000,
        host: '127.0.0.1',
        port: 0,
        log,
      });
    };
    await startOperatorIfDown();
    return {
      cluster,
      admin,
      asApi,
      operatorLogFile,
      stopOperator,
      startOperator: startOperatorIfDown,
      async stop() {
        await stopOperator();
        await cluster.stop();
      },
    };
  } catch (err) {
    await stopOperator();
    await cluster.stop();
    throw err;
  }
}
