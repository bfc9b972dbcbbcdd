import type { CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.ts';
import { objectPath } from '../kube/object-path.ts';
import type { CloudAgent } from './cloud-agent-status.ts';

export interface EventInput {
  agent: CloudAgent;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * Records a Kubernetes Event on a CloudAgent, so `kubectl describe cloudagent` tells its story.
 * Best effort: an Event that cannot be written is logged and never fails a reconcile.
 */
export function createEventRecorder(deps: { kube: KubeClient; identity: string; now: () => Date; log: Logger }) {
  return async function recordEvent(input: EventInput): Promise<void> {
    const { agent } = input;
    const namespace = agent.metadata?.namespace ?? 'default';
    const at = deps.now().toISOString();
    const event: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${agent.metadata?.name ?? 'cloudagent'}.`, namespace },
      involvedObject: {
        apiVersion: agent.apiVersion,
        kind: agent.kind,
        name: agent.metadata?.name,
        namespace,
        uid: agent.metadata?.uid,
        resourceVersion: agent.metadata?.resourceVersion,
      },
      type: input.type,
      reason: input.reason,
      message: input.message.slice(0, 1024),
      source: { component: 'astromesh-operator' },
      reportingComponent: 'astromesh.io/operator',
      reportingInstance: deps.identity.slice(0, 128),
      firstTimestamp: at as unknown as Date,
      lastTimestamp: at as unknown as Date,
      count: 1,
    };
    await deps.kube
      .call({ method: 'POST', path: objectPath({ apiVersion: 'v1', kind: 'Event', namespace }), body: event })
      .catch((err: unknown) => deps.log.warn({ err, reason: input.reason }, 'event not recorded'));
  };
}
export type RecordEvent = ReturnType<typeof createEventRecorder>;
