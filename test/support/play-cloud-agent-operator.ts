import { setTimeout as delay } from 'node:timers/promises';
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CloudAgentObject } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import {
  agentIdOf,
  type CloudAgentPhase,
  cloudAgentGroup,
  cloudAgentPlural,
  cloudAgentVersion,
} from '../../crds/cloud-agent.ts';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
export const testFinalizer = 'astromesh.io/test-operator';

export interface OperatorVerdict {
  phase: CloudAgentPhase;
  /** The Ready condition's message (a Failed phase says why). */
  message?: string;
}

export interface PlayedOperator {
  /** Lets go of the finalizers it holds on CloudAgents being deleted. */
  releaseFinalizers(): void;
  stop(): Promise<void>;
}

/**
 * Plays the operator for one namespace, as the Cloud API sees it: every CloudAgent whose status
 * does not describe its current generation gets one, written through the /status subresource:
 * `Paused` when paused, `Ready` otherwise, unless `verdict` says something else (or undefined:
 * the operator never gets to it). With `holdFinalizers`, it puts a finalizer on every CloudAgent
 * and keeps it until releaseFinalizers(), as a slow cleanup would.
 */
export function playCloudAgentOperator(options: {
  kubeConfig: KubeConfig;
  namespace: string;
  verdict?: (cloudAgent: CloudAgentObject) => OperatorVerdict | undefined;
  holdFinalizers?: boolean;
}): PlayedOperator {
  const api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace } = options;
  let stopped = false;
  let releasing = false;
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  async function reconcile(cloudAgent: CloudAgentObject): Promise<void> {
    const { name, generation = 0, finalizers = [], deletionTimestamp } = cloudAgent.metadata;
    if (deletionTimestamp) {
      if (releasing && finalizers.includes(testFinalizer)) {
        const rest = finalizers.filter((finalizer) => finalizer !== testFinalizer);
        await api.patchNamespacedCustomObject(
          { ...resource, namespace, name, body: { metadata: { finalizers: rest } } },
          mergePatch,
        );
      }
      return;
    }
    if (options.holdFinalizers && !finalizers.includes(testFinalizer)) {
      const body = { metadata: { finalizers: [...finalizers, testFinalizer] } };
      await api.patchNamespacedCustomObject({ ...resource, namespace, name, body }, mergePatch);
    }
    const verdict = options.verdict
      ? options.verdict(cloudAgent)
      : { phase: cloudAgent.spec.paused ? ('Paused' as const) : ('Ready' as const) };
    if (!verdict) return;
    const status = cloudAgent.status ?? {};
    if (status.observedGeneration === generation && status.phase === verdict.phase) return;
    const ready = verdict.phase === 'Ready';
    const body = {
      status: {
        phase: verdict.phase,
        agentId: agentIdOf(cloudAgent.spec.orgSlug, cloudAgent.spec.agentName),
        observedGeneration: generation,
        conditions: [
          {
            type: 'Ready',
            status: ready ? 'True' : 'False',
            observedGeneration: generation,
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            reason: ready ? 'RuntimeServing' : verdict.phase === 'Failed' ? 'InvalidSpec' : verdict.phase,
            message: verdict.message ?? (ready ? 'the runtime serves the agent' : `the agent is ${verdict.phase}`),
          },
        ],
      },
    };
    await api.patchNamespacedCustomObjectStatus({ ...resource, namespace, name, body }, mergePatch);
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        const list = (await api.listNamespacedCustomObject({ ...resource, namespace })) as {
          items: CloudAgentObject[];
        };
        for (const cloudAgent of list.items) await reconcile(cloudAgent);
      } catch {
        // A conflict or an object deleted meanwhile: the next pass sees the new state.
      }
      await delay(50);
    }
  })();

  return {
    releaseFinalizers() {
      releasing = true;
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
