import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { cloudAgentGroup, cloudAgentPlural } from '../../crds/cloud-agent.ts';
import { eventually } from './eventually.ts';

const quotaDiscoveryTimeoutMs = 120_000;

/**
 * The operator gives every org namespace a ResourceQuota that counts CloudAgents, and until
 * kube-controller-manager's quota controller knows the CRD, such a quota refuses every new
 * CloudAgent ("status unknown for quota"). With the CRD applied before the controller manager
 * starts (startTestCluster does) it knows it from its first discovery; otherwise it finds it on a
 * resync up to 30 s later. A quota's usage is computed when it is created (and every 5 minutes),
 * so each try is a new quota.
 */
export async function waitUntilQuotaCountsCloudAgents(admin: KubeConfig): Promise<void> {
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
