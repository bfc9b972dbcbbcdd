import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { orgSecretName } from '../../../crds/org-runtime-names.ts';
import type { ApplyOptions, DeployBackend, OrgDeployment, OrgSleep, RuntimeEndpoint } from '../deploy-backend.ts';
import { createOrgMemoryProvisioner } from '../org-memory/create-org-memory-provisioner.ts';
import { applyCloudAgents, type DesiredCloudAgent } from './apply-cloud-agents.ts';
import { buildCloudAgent } from './build-cloud-agent.ts';
import { buildOrgSecret } from './build-org-secret.ts';
import { apiFieldManager, createCloudAgentsClient } from './cloud-agents-client.ts';
import { ensureOrgNamespace } from './ensure-org-namespace.ts';
import { makeKeepAliveApiClient } from './keep-alive-api-client.ts';
import { kubeErrorMessage, kubeStatusOf } from './kube-api-errors.ts';
import { createOrgRuntimeAddresses, type RuntimeEndpointMode } from './org-runtime-addresses.ts';
import { createOrgRuntimeTokens } from './org-runtime-tokens.ts';
import { createOrgSleepMarks } from './org-sleep-marks.ts';
import { retryThrottled } from './retry-throttled.ts';
import { waitForRollout } from './wait-for-rollout.ts';

export interface KubernetesBackendOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  runtimeEndpoints: RuntimeEndpointMode;
  /** How long applyOrg waits for the operator to report every CloudAgent Ready or Paused. */
  deployTimeoutMs?: number;
  /** How often it looks while it waits. */
  statusPollIntervalMs?: number;
  /** How long a call to a sleeping org waits for its runtime to be ready again (default: the deploy timeout). */
  wakeTimeoutMs?: number;
  /** Durable conversation memory: a role and schema per org on this database (DESIGN.md decision 9). */
  memory?: { adminUrl: string; masterKey: Buffer };
}

const defaultDeployTimeoutMs = 120_000;
const defaultStatusPollIntervalMs = 250;
// A woken runtime is looked for this often: its first answer waits on it.
const wakePollIntervalMs = 50;

/**
 * The `kubernetes` backend: each org is a namespace holding its runtime Secret and one CloudAgent
 * per deployed or paused agent, all server-side applied; the operator turns them into a runtime
 * and reports each CloudAgent's phase, which applyOrg waits for.
 */
export function createKubernetesBackend(options: KubernetesBackendOptions): DeployBackend {
  const { kubeConfig } = options;
  const log = options.log.child({ component: 'kubernetes-backend' });
  const core = makeKeepAliveApiClient(kubeConfig, CoreV1Api);
  const cloudAgents = createCloudAgentsClient(kubeConfig);
  const tokens = createOrgRuntimeTokens({ core });
  const addresses = createOrgRuntimeAddresses({ kubeConfig, mode: options.runtimeEndpoints });
  const memory = options.memory && createOrgMemoryProvisioner({ ...options.memory, log });
  const sleepMarks = createOrgSleepMarks({ core });
  // One wake per org however many calls arrive during it: they all wait for the same one.
  const wakes = new Map<string, Promise<void>>();

  /** Takes the org's sleep mark away and waits (up to the wake timeout) for a ready runtime. */
  async function wakeOrg(orgSlug: string): Promise<void> {
    await sleepMarks.markAwake(orgSlug, new Date());
    const deadline = Date.now() + (options.wakeTimeoutMs ?? options.deployTimeoutMs ?? defaultDeployTimeoutMs);
    // Past the deadline the call goes on and fails as a call to a runtime not ready does.
    while (!(await addresses.hasReadyEndpoint(orgSlug)) && Date.now() < deadline) await delay(wakePollIntervalMs);
    log.info({ org: orgSlug }, 'org woken');
  }

  function wakeOnce(orgSlug: string): Promise<void> {
    let waking = wakes.get(orgSlug);
    if (!waking) {
      waking = wakeOrg(orgSlug).finally(() => wakes.delete(orgSlug));
      wakes.set(orgSlug, waking);
    }
    return waking;
  }

  const sleep: OrgSleep = {
    async awakeOrgs(): Promise<string[]> {
      const awake = new Set<string>();
      for (const cloudAgent of await cloudAgents.listAll()) {
        const ready = cloudAgent.status?.conditions?.find((condition) => condition.type === 'Ready');
        if (cloudAgent.spec.paused || ready?.reason === 'Sleeping') continue;
        awake.add(cloudAgent.spec.orgSlug);
      }
      return [...awake];
    },
    sleepIfIdleSince: (orgSlug, idleSince) => sleepMarks.markAsleepIfIdleSince(orgSlug, idleSince),
    noteActive: (orgSlug, at) => sleepMarks.noteActive(orgSlug, at),
  };

  async function applyOrgSecret(namespace: string, deployment: OrgDeployment): Promise<void> {
    const secret = buildOrgSecret({
      namespace,
      orgSlug: deployment.orgSlug,
      credentials: deployment.credentials,
      runtimeToken: await tokens.tokenToApply(deployment.orgSlug),
      memoryUrl: memory ? await memory.provision(deployment.orgSlug) : undefined,
    });
    await retryThrottled(() =>
      core.patchNamespacedSecret(
        { name: orgSecretName, namespace, body: secret, fieldManager: apiFieldManager, force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
  }

  async function applyOrg(deployment: OrgDeployment, applyOptions: ApplyOptions = {}): Promise<void> {
    const { orgSlug } = deployment;
    const namespace = await ensureOrgNamespace(core, orgSlug);
    // Credentials first: the operator must never start an agent without the keys it needs.
    await applyOrgSecret(namespace, deployment);
    const isWaitedFor = applyOptions.waitUntilServed !== false;
    // A change someone waits for wakes a sleeping org, as a deploy does on the local backend: the
    // wait below then sees the runtime serve the new config, not a sleeping org's Ready (and the
    // deploy counts as activity). Restores leave a sleeping org asleep: a resync would wake them all.
    if (isWaitedFor && deployment.agents.length > 0) await sleepMarks.markAwake(orgSlug, new Date());
    const desired: DesiredCloudAgent[] = [
      ...deployment.agents.map((agent) => ({ agent, paused: false, phase: 'Ready' as const })),
      ...deployment.pausedAgents.map((agent) => ({ agent, paused: true, phase: 'Paused' as const })),
    ].map(({ agent, paused, phase }) => ({
      cloudAgent: buildCloudAgent({ namespace, orgSlug, agent, paused }),
      phase,
    }));
    const observed = await cloudAgents.list(namespace);
    await applyCloudAgents({ client: cloudAgents, desired, observed });
    const wanted = new Set(desired.map((want) => want.cloudAgent.metadata.name));
    for (const cloudAgent of observed) {
      // Deleted agents lose their CloudAgent; the operator's finalizer cleans up, nobody waits for it.
      if (wanted.has(cloudAgent.metadata.name) || cloudAgent.metadata.deletionTimestamp) continue;
      await cloudAgents.delete(namespace, cloudAgent.metadata.name);
    }
    if (!isWaitedFor) return;
    await waitForRollout({
      client: cloudAgents,
      namespace,
      desired,
      timeoutMs: options.deployTimeoutMs ?? defaultDeployTimeoutMs,
      pollIntervalMs: options.statusPollIntervalMs ?? defaultStatusPollIntervalMs,
    });
  }

  return {
    async applyOrg(deployment, applyOptions) {
      try {
        await applyOrg(deployment, applyOptions);
      } catch (err) {
        log.warn({ err, org: deployment.orgSlug }, 'org deployment not applied');
        // client-node's errors carry the whole response; say what the API server said, once.
        if (kubeStatusOf(err) !== undefined) throw new Error(kubeErrorMessage(err), { cause: err });
        throw err;
      }
    },

    async endpointOf(orgSlug: string): Promise<RuntimeEndpoint | undefined> {
      const token = await tokens.tokenOf(orgSlug);
      if (!token) return undefined;
      if (wakes.has(orgSlug) || (await sleepMarks.isAsleep(orgSlug))) await wakeOnce(orgSlug);
      const baseUrl = await addresses.baseUrlOf(orgSlug);
      return baseUrl ? { baseUrl, token } : undefined;
    },

    sleep,

    async close(): Promise<void> {
      await memory?.close();
    },
  };
}
