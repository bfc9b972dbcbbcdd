import type { CloudAgentPhase } from '../../crds/cloud-agent.ts';
import type { KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';

/** The phase a CloudAgent's status shows now; undefined before the operator wrote one. */
export async function phaseOf(kube: KubeClient, namespace: string, name: string): Promise<CloudAgentPhase | undefined> {
  return (await kube.call<CloudAgent>({ method: 'GET', path: cloudAgentPath(namespace, name) })).status?.phase;
}
