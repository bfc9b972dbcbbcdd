import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { cloudAgentGroup, cloudAgentPlural } from '../../crds/cloud-agent.ts';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { type RunningOperator, startOperator } from '../../operator/start-operator.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { apiIdentityFromChart, operatorIdentityFromChart } from '../support/chart-identity.ts';
import { eventually } from '../support/eventually.ts';
import { startTestCluster, type TestCluster } from '../support/start-test-cluster.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
/** The runtime image the operator writes into every org Deployment; the fake kubelet runs astromeshd for it. */
const runtimeImage = 'astromesh-runtime:operated';
const quotaDiscoveryTimeoutMs = 120_000;

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
    images: { [runtimeImage]: { command: [process.execPath, join(repoRoot, 'runtime', 'main.ts')] } },
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

/**
 * The operator gives every org namespace a ResourceQuota that counts CloudAgents, and until the
 * quota controller has discovered the CRD (it looks every 30 s) such a quota refuses every new
 * CloudAgent ("status unknown for quota"): an org's second agent could never be deployed. A
 * cluster whose chart was installed a while ago is past that; one started a moment ago waits.
 * A quota's usage is computed when it is created, so each try is a new quota.
 */
async function waitUntilQuotaCountsCloudAgents(admin: KubeConfig): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const namespace = `quota-probe-${randomBytes(4).toString('hex')}`;
  const counted = `count/${cloudAgentPlural}.${cloudAgentGroup}`;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  let attempt = 0;
  await eventually(
    async () => {
      const name = `cloudagents-${++attempt}`;
      await core.createNamespacedResourceQuota({
        namespace,
        body: { metadata: { name }, spec: { hard: { [counted]: '1' } } },
      });
      const quota = await eventually(async () => {
        const current = await core.readNamespacedResourceQuota({ namespace, name });
        if (!current.status?.hard) throw new Error(`the quota controller has not computed ${name} yet`);
        return current;
      });
      await core.deleteNamespacedResourceQuota({ namespace, name });
      if (quota.status?.used?.[counted] === undefined)
        throw new Error(`the quota controller does not count ${counted} yet`);
    },
    { timeoutMs: quotaDiscoveryTimeoutMs, intervalMs: 1_000 },
  );
  await core.deleteNamespace({ name: namespace });
}
